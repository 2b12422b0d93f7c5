"""The sharing commands, copy-from and the new fields through `glance` and
the real servers (`noauth`: the caller is an admin; copies from a fixture
origin on loopback, which this module's servers allow)."""

import hashlib

import pytest

from glance import client as gc
from tests.cli.helpers import added_id, new_image, run
from tests.fixtureapps.origin import Origin, pattern
from tests.functional.services import LOOPBACK_ORIGINS, running_services

pytestmark = pytest.mark.functional



@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """This module's servers (overriding the suite's): origins on loopback allowed."""
    with running_services(tmp_path_factory.mktemp("cli-rev2"),
                          extra_env=LOOPBACK_ORIGINS) as running:
        yield running


@pytest.fixture(scope="module")
def origin():
    with Origin() as running:
        yield running


# -- members -------------------------------------------------------------------------------


def test_member_add_then_image_members_lists_it(url, glance, tag):
    image = new_image(glance, tag, is_public=False)
    assert run(url, "member-add", image["id"], "tenant-b", "--can-share").code == 0
    result = run(url, "image-members", image["id"])
    assert result.code == 0, result.err
    assert result.out.splitlines()[2].split() == ["tenant-b", "Yes"]


def test_member_images_lists_the_images_shared_with_a_tenant(url, glance, tag):
    image = new_image(glance, tag, is_public=False)
    glance.add_member(image["id"], f"tenant-{tag}")
    result = run(url, "member-images", f"tenant-{tag}")
    assert result.code == 0, result.err
    assert result.out.splitlines()[2].split() == [image["id"], "No"]


def test_members_replace_and_member_delete(url, glance, tag):
    image = new_image(glance, tag, is_public=False)
    assert run(url, "members-replace", image["id"], "a", "b").code == 0
    assert {m["member_id"] for m in glance.get_image_members(image["id"])} == {"a", "b"}
    assert run(url, "member-delete", image["id"], "a").code == 0
    assert [m["member_id"] for m in glance.get_image_members(image["id"])] == ["b"]
    result = run(url, "member-delete", image["id"], "a")
    assert result.code == 1 and "HTTP 404" in result.err


# -- copy-from -------------------------------------------------------------------------------


def test_add_copy_from_with_wait_ends_active_with_the_origins_bytes(url, glance, tag, origin):
    result = run(url, "add", f"tag={tag}", f"copy_from={origin.url('/bytes/100000')}",
                 "--wait", "--wait-timeout", "15")
    assert result.code == 0, result.err
    meta = glance.get_image_meta(added_id(result))
    assert (meta["status"], meta["checksum"]) == \
        ("active", hashlib.md5(pattern(100000)).hexdigest())
    assert "is active (97.7 KiB)" in result.out


def test_add_copy_from_a_broken_origin_with_wait_exits_1(url, glance, tag, origin):
    result = run(url, "add", f"tag={tag}", "--copy-from", origin.url("/drop/100?of=9000"),
                 "--wait", "--wait-timeout", "15")
    assert result.code == 1 and "failed" in result.err
    assert glance.get_image_meta(added_id_of(result))["status"] == "killed"


def test_add_copy_from_a_refused_scheme_exits_1_without_a_record(url, glance, tag):
    result = run(url, "add", f"tag={tag}", "copy_from=file:///etc/passwd")
    assert result.code == 1 and "External sources are not supported" in result.err
    assert glance.get_images(property_tag=tag, is_public="none") == []


# -- the new fields ------------------------------------------------------------------------


def test_add_sets_the_new_fields_and_show_prints_them(url, glance, tag):
    result = run(url, "add", f"tag={tag}", "protected=true", "min_disk=20", "min_ram=512")
    image_id = added_id(result)
    meta = glance.get_image_meta(image_id)
    assert (meta["protected"], meta["min_disk"], meta["min_ram"]) == (True, 20, 512)
    shown = run(url, "show", image_id)
    assert "Protected: Yes" in shown.out.splitlines()
    glance.update_image(image_id, {"protected": False})


def test_delete_of_a_protected_image_exits_1(url, glance, tag):
    image = new_image(glance, tag, protected=True)
    result = run(url, "delete", image["id"])
    assert result.code == 1 and "HTTP 403" in result.err
    assert glance.get_image_meta(image["id"])["status"] == "queued"
    glance.update_image(image["id"], {"protected": False})


def added_id_of(result):
    """The id a failed `add … --wait` still printed."""
    return result.out.split("Added new image with ID: ")[1].split()[0]


def test_unknown_image_members_exits_1(url):
    result = run(url, "image-members", "987654321")
    assert result.code == 1 and "HTTP 404" in result.err and "Traceback" not in result.err


def test_client_sees_the_cli_shared_image_as_a_member_list(url, glance, tag):
    image = new_image(glance, tag, is_public=False)
    run(url, "member-add", image["id"], "t")
    assert glance.get_image_members(image["id"]) == [{"member_id": "t", "can_share": False}]
    with pytest.raises(gc.NotFound):
        glance.delete_member(image["id"], "nobody")
