"""Copy-from (CONTRACT §2, POST 4) through the client and the real servers,
from a fixture origin on loopback (allowed by `allowed_location_networks`
for this module's servers): the answer comes at once, the copy ends
`active` with the origin's bytes, or `killed`; refusals leave no record."""

import hashlib

import pytest

from glance import client as gc
from tests.client.helpers import add, settled
from tests.fixtureapps.origin import Origin, pattern
from tests.functional.services import LOOPBACK_ORIGINS, running_services

pytestmark = pytest.mark.functional



@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with running_services(tmp_path_factory.mktemp("copyfrom"),
                          extra_env=LOOPBACK_ORIGINS) as services:
        with gc.Client(services.api_host, services.api_port, timeout=30) as c:
            yield c


@pytest.fixture(scope="module")
def origin():
    with Origin() as running:
        yield running


def test_copy_from_answers_at_once_then_the_image_becomes_active(client, tag, origin):
    image = add(client, tag, copy_from=origin.url("/bytes/300000"))
    assert image["status"] in ("queued", "saving")
    meta = settled(client, image["id"])
    assert (meta["status"], meta["size"], meta["checksum"]) == \
        ("active", 300000, hashlib.md5(pattern(300000)).hexdigest())
    _, chunks = client.get_image(image["id"], checksum=True)
    assert b"".join(chunks) == pattern(300000)


def test_copy_from_into_a_queued_image_with_update(client, tag, origin):
    image = add(client, tag)
    client.update_image(image["id"], copy_from=origin.url("/bytes/4096"))
    assert settled(client, image["id"])["status"] == "active"


def test_a_copy_whose_origin_breaks_off_is_killed(client, tag, origin):
    image = add(client, tag, copy_from=origin.url("/drop/1000?of=50000"))
    meta = settled(client, image["id"])
    assert meta["status"] == "killed"
    with pytest.raises(gc.NotFound):
        client.get_image(image["id"])


def test_a_size_that_does_not_match_the_copy_kills_it(client, tag, origin):
    image = add(client, tag, copy_from=origin.url("/bytes/4096?nolength=1"), size=5000)
    assert settled(client, image["id"])["status"] == "killed"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.img"])
def test_a_copy_from_another_scheme_is_refused_without_a_record(client, tag, url):
    with pytest.raises(gc.Invalid) as info:
        add(client, tag, copy_from=url)
    assert "External sources are not supported" in info.value.message
    assert client.get_images(property_tag=tag, is_public="none") == []


def test_a_copy_from_an_origin_without_the_image_is_not_found_without_a_record(
        client, tag, origin):
    with pytest.raises(gc.NotFound) as info:
        add(client, tag, copy_from=origin.url("/status/404"))
    assert "could not find image" in info.value.message
    assert client.get_images(property_tag=tag, is_public="none") == []


def test_a_copy_into_an_active_image_is_a_conflict(client, tag, origin):
    image = add(client, tag, b"already")
    with pytest.raises(gc.Duplicate) as info:
        client.update_image(image["id"], copy_from=origin.url("/bytes/10"))
    assert info.value.status == 409
