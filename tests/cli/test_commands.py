"""`glance` help, usage, add, index, details, show, update and delete against
the real servers.

Most tests call `glance.cli.main()` in-process with its streams injected
(`tests.cli.helpers.run`); a few run it as a process to check what only a
process shows.
"""

import hashlib
import io
import json

import pytest

from glance import client as gc
from glance.cli.catalog import COMMANDS
from tests.cli.helpers import added_id, new_image, process, run, write
from tests.client.helpers import same_image
from tests.client.peer import ScriptedPeer
from tests.fixtureapps.origin import Origin

pytestmark = pytest.mark.functional


# -- help, usage, exit statuses ------------------------------------------------------------


def test_help_lists_every_command(url):
    result = run(url, "help")
    assert result.code == 0
    for command in COMMANDS:
        assert command in result.out


def test_help_command_shows_its_usage(url):
    result = run(url, "help", "download")
    assert result.code == 0 and "usage: glance download" in result.out and "-o" in result.out


def test_help_unknown_command_is_a_usage_error(url):
    result = run(url, "help", "frobnicate")
    assert result.code == 2 and "frobnicate" in result.err


def test_no_command_is_a_usage_error(url):
    result = run(url)
    assert result.code == 2 and "usage:" in result.err


def test_unknown_command_is_a_usage_error(url):
    result = run(url, "frobnicate")
    assert result.code == 2 and "invalid choice" in result.err


def test_unreachable_server_exits_1_without_traceback():
    proc = process("http://127.0.0.1:1", "index")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert b"cannot connect to 127.0.0.1:1" in err and b"Traceback" not in err


def test_bad_url_is_a_usage_error():
    result = run("ftp://nowhere", "index")
    assert result.code == 2 and "ftp://nowhere" in result.err


def test_python_m_glance_cli_runs_the_command(url):
    proc = process(url, "help")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and b"download" in out


def test_host_and_port_options_override_the_url(services):
    result = run("http://127.0.0.1:1", "-H", services.api_host, "-p", str(services.api_port),
                 "index")
    assert result.code == 0, result.err


def test_global_options_may_follow_the_command(services):
    result = run("http://127.0.0.1:1", "index", "--url", services.api_url)
    assert result.code == 0, result.err


def test_auth_token_comes_from_the_environment():
    peer = ScriptedPeer(lambda r: (200, [], b'{"images": []}'))
    try:
        result = run(f"http://127.0.0.1:{peer.port}", "index",
                     env={"GLANCE_AUTH_TOKEN": "t0k"})
    finally:
        peer.close()
    assert result.code == 0 and peer.requests[0]["headers"]["X-Auth-Token"] == "t0k"


# -- add -------------------------------------------------------------------------------------


def test_add_with_file_uploads_it(url, glance, tag, tmp_path):
    source = write(tmp_path / "x.img", 200_000)
    result = run(url, "add", "name=Ubuntu", "is_public=true", "disk_format=raw",
                 "container_format=bare", f"tag={tag}", "--file", str(source))
    meta = glance.get_image_meta(added_id(result))
    assert (meta["status"], meta["size"], meta["checksum"]) == \
        ("active", 200_000, hashlib.md5(source.read_bytes()).hexdigest())
    assert meta["properties"] == {"tag": tag} and meta["is_public"] is True


def test_add_from_standard_input(url, glance, tag):
    result = run(url, "add", "name=piped", f"tag={tag}", stdin=io.BytesIO(b"from stdin"))
    assert glance.get_image_meta(added_id(result))["size"] == len(b"from stdin")


def test_add_from_a_redirected_file(url, glance, tag, tmp_path):
    source = write(tmp_path / "redirected", 12345)
    with open(source, "rb") as stdin:
        proc = process(url, "add", f"tag={tag}", stdin=stdin)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    image_id = out.decode().split("ID: ")[1].strip()
    assert glance.get_image_meta(image_id)["size"] == 12345


def test_add_without_data_queues_the_image(url, glance, tag):
    result = run(url, "add", "name=empty", f"tag={tag}")
    assert glance.get_image_meta(added_id(result))["status"] == "queued"


def test_add_location_registers_it(url, glance, tag):
    with Origin() as origin:
        result = run(url, "add", f"location={origin.url('/bytes/4096')}", f"tag={tag}")
        meta = glance.get_image_meta(added_id(result))
    assert (meta["status"], meta["size"]) == ("active", 4096)


def test_add_verbose_prints_the_image_block(url, tag):
    result = run(url, "-v", "add", "name=verbose", f"tag={tag}")
    assert result.code == 0
    assert "Name: verbose" in result.out and f"Property 'tag': {tag}" in result.out


def test_add_invalid_field_value_is_a_usage_error(url):
    result = run(url, "add", "size=big")
    assert result.code == 2 and "size" in result.err and "Traceback" not in result.err


def test_add_word_without_equals_is_a_usage_error(url):
    result = run(url, "add", "name")
    assert result.code == 2 and "field=value" in result.err


def test_add_refused_by_the_server_exits_1_with_its_message(url):
    result = run(url, "add", "disk_format=floppy")
    assert result.code == 1 and "floppy" in result.err and "HTTP 400" in result.err


def test_add_missing_file_is_a_usage_error(url, tmp_path):
    result = run(url, "add", "--file", str(tmp_path / "absent"))
    assert result.code == 2 and "absent" in result.err


def test_add_location_and_data_is_a_usage_error(url, tmp_path):
    source = write(tmp_path / "x", 10)
    result = run(url, "add", "location=http://o/x", "--file", str(source))
    assert result.code == 2


def test_add_dry_run_creates_nothing(url, glance, tag, tmp_path):
    source = write(tmp_path / "x", 10)
    result = run(url, "add", "--dry-run", "name=dry", f"tag={tag}", "--file", str(source))
    assert result.code == 0 and "Dry run" in result.out and "name='dry'" in result.out
    assert glance.get_images(property_tag=tag, is_public="none") == []


# -- index, details, show -----------------------------------------------------------------------


def test_index_prints_an_aligned_table(url, glance, tag):
    new_image(glance, tag, b"x" * 1536, name="small")
    new_image(glance, tag, name="queued one", disk_format="qcow2", container_format="ovf")
    result = run(url, "index", f"tag={tag}")
    lines = result.out.splitlines()
    assert result.code == 0
    assert lines[0].split() == ["ID", "Name", "Disk", "Format", "Container", "Format", "Size"]
    assert set(lines[1]) == {"-", " "}
    assert "queued one" in lines[2] and lines[2].endswith("0 B")
    assert "small" in lines[3] and lines[3].endswith("1.5 KiB")
    assert len({line.index("Disk Format") if "Disk Format" in line else
                line.index("raw") if "raw" in line else line.index("qcow2")
                for line in (lines[0], lines[2], lines[3])}) == 1


def test_index_pages_through_everything(url, glance, tag):
    for _ in range(105):                 # more than one page of 100
        new_image(glance, tag)
    result = run(url, "index", f"tag={tag}")
    assert result.code == 0 and len(result.out.splitlines()) == 2 + 105


def test_index_json_is_machine_readable(url, glance, tag):
    image = new_image(glance, tag)
    result = run(url, "index", "--json", f"tag={tag}")
    assert [entry["id"] for entry in json.loads(result.out)] == [image["id"]]


def test_index_says_when_nothing_matches(url, tag):
    result = run(url, "index", f"tag={tag}")
    assert result.code == 0 and result.out == "No images found.\n"


def test_details_prints_one_block_per_image(url, glance, tag):
    first = new_image(glance, tag, name="first")
    second = new_image(glance, tag, name="second")
    result = run(url, "details", f"tag={tag}")
    blocks = result.out.split("=" * 60 + "\n")
    assert result.code == 0 and blocks[-1] == ""
    assert f"Id: {second['id']}\n" in blocks[0] and f"Id: {first['id']}\n" in blocks[1]
    assert "Status: queued" in blocks[0]


def test_details_json_lists_full_images(url, glance, tag):
    image = new_image(glance, tag)
    result = run(url, "details", "--json", f"tag={tag}")
    listed, = json.loads(result.out)
    assert same_image(glance.get_image_meta(image["id"]), listed)


def test_show_prints_the_image_block(url, glance, tag):
    image = new_image(glance, tag, b"abc", name="shown")
    result = run(url, "show", str(image["id"]))
    assert result.code == 0
    assert result.out.splitlines()[:3] == [f"URI: {image['uri']}", f"Id: {image['id']}",
                                           "Public: Yes"]
    assert "Size: 3 (3 B)" in result.out and f"Checksum: {image['checksum']}" in result.out


def test_show_json_equals_the_client_metadata(url, glance, tag):
    image = new_image(glance, tag, name="Ünïcode")
    result = run(url, "show", "--json", image["uri"])
    assert json.loads(result.out) == glance.get_image_meta(image["id"])


def test_show_unknown_id_exits_1_with_the_server_message(url):
    result = run(url, "show", "987654321")
    assert result.code == 1 and "987654321" in result.err and "HTTP 404" in result.err


def test_show_malformed_id_is_a_usage_error(url):
    result = run(url, "show", "not-an-id")
    assert result.code == 2 and "not-an-id" in result.err


# -- update and delete ---------------------------------------------------------------------------


def test_update_changes_fields(url, glance, tag):
    image = new_image(glance, tag)
    result = run(url, "update", str(image["id"]), "name=renamed", "os=linux")
    meta = glance.get_image_meta(image["id"])
    assert result.out == f"Updated image {image['id']}\n"
    assert meta["name"] == "renamed" and meta["properties"] == {"tag": tag, "os": "linux"}


def test_update_purge_props_replaces_properties(url, glance, tag):
    image = new_image(glance, tag)
    run(url, "update", str(image["id"]), "os=linux", "--purge-props")
    assert glance.get_image_meta(image["id"])["properties"] == {"os": "linux"}


def test_update_uploads_data_of_a_queued_image(url, glance, tag, tmp_path):
    image = new_image(glance, tag)
    result = run(url, "update", str(image["id"]), "--file", str(write(tmp_path / "d", 777)))
    assert result.code == 0 and glance.get_image_meta(image["id"])["size"] == 777


def test_update_dry_run_changes_nothing(url, glance, tag):
    image = new_image(glance, tag, name="before")
    result = run(url, "update", "--dry-run", str(image["id"]), "name=after")
    assert result.code == 0 and "Dry run" in result.out
    assert glance.get_image_meta(image["id"])["name"] == "before"


def test_dry_run_may_come_before_the_command(url, glance, tag):
    image = new_image(glance, tag, name="kept")
    assert run(url, "--dry-run", "delete", str(image["id"])).code == 0
    assert glance.get_image_meta(image["id"])["name"] == "kept"


def test_dry_run_with_a_reading_command_is_a_usage_error(url):
    result = run(url, "--dry-run", "index")
    assert result.code == 2 and "--dry-run" in result.err


def test_update_without_changes_is_a_usage_error(url):
    assert run(url, "update", "1").code == 2


def test_update_unknown_image_exits_1(url):
    result = run(url, "update", "987654321", "name=x")
    assert result.code == 1 and "HTTP 404" in result.err


def test_update_data_of_an_active_image_exits_1(url, glance, tag, tmp_path):
    image = new_image(glance, tag, b"once")
    result = run(url, "update", str(image["id"]), "--file", str(write(tmp_path / "d", 5)))
    assert result.code == 1 and "immutable" in result.err


def test_delete_removes_the_image(url, glance, tag):
    image = new_image(glance, tag)
    result = run(url, "delete", str(image["id"]))
    assert (result.code, result.out) == (0, f"Deleted image {image['id']}\n")
    with pytest.raises(gc.NotFound):
        glance.get_image_meta(image["id"])


def test_delete_dry_run_keeps_the_image(url, glance, tag):
    image = new_image(glance, tag, name="kept")
    result = run(url, "delete", "--dry-run", str(image["id"]))
    assert result.code == 0 and "would delete" in result.out and "kept" in result.out
    assert glance.get_image_meta(image["id"])["name"] == "kept"


def test_delete_unknown_image_exits_1(url):
    result = run(url, "delete", "987654321")
    assert result.code == 1 and "Traceback" not in result.err
