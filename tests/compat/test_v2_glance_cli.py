"""The `glance` CLI of the latest python-glanceclient (4.x) on the Images API v2.

`glance --os-image-url URL --os-auth-token x <command>` as a user types it,
against the v2 target (ours from paste.ini, or real Glance 33).  The client
builds its v2 commands from `/v2/schemas/image` and falls back to v1 with a
warning when v2 does not answer: every test asserts that it did not.
Downloads are verified by the client itself (`os_hash_value`, or MD5 when
asked with `--allow-md5-fallback`).
"""

import hashlib
import json
import time

API = "v2"

WAIT = 30  # seconds an import may take to turn active


def glance(v2, *args):
    """Run a v2 command; assert it exited 0 without falling back to v1."""
    result = v2.glance(*args).ok()
    assert "falling back to v1" not in result.err, repr(result)
    return result


def create(v2, name, *args):
    return glance(v2, "image-create", "--name", name, *args).fields()


def show(v2, image_id):
    return glance(v2, "image-show", image_id).fields()


def listed_ids(result):
    return [row[0] for row in result.table()[1:]]


def wait_status(v2, image_id, *waiting):
    deadline = time.monotonic() + WAIT
    while True:
        fields = show(v2, image_id)
        if fields["status"] not in waiting or time.monotonic() > deadline:
            return fields
        time.sleep(0.5)


def assert_hashes(fields, image_file):
    assert fields["checksum"] == image_file.md5
    algo = fields["os_hash_algo"]
    assert fields["os_hash_value"] == hashlib.new(algo, image_file.data).hexdigest()


def raw(disk):
    return ("--disk-format", "raw", "--container-format", "bare", "--file", disk.path)


def test_image_create_with_file(v2, disk, unique):
    fields = create(v2, unique, *raw(disk), "--property", "hw_disk_bus=virtio",
                    "--min-ram", "64")
    assert fields["status"] == "active"
    assert fields["size"] == str(disk.size)
    assert fields["hw_disk_bus"] == "virtio" and fields["min_ram"] == "64"
    assert_hashes(fields, disk)


def test_image_create_then_image_upload(v2, disk, unique):
    fields = create(v2, unique, "--disk-format", "raw", "--container-format", "bare")
    assert fields["status"] == "queued"
    glance(v2, "image-upload", "--file", disk.path, fields["id"])
    fields = show(v2, fields["id"])
    assert fields["status"] == "active"
    assert_hashes(fields, disk)


def test_image_list(v2, disk, unique):
    ids = [create(v2, f"{unique}-{n}", "--property", f"set={unique}")["id"] for n in "ba"]
    result = glance(v2, "image-list", "--property-filter", f"set={unique}")
    assert sorted(listed_ids(result)) == sorted(ids)


def test_image_list_paging_and_sort(v2, unique):
    made = {n: create(v2, f"{unique}-{n}", "--property", f"set={unique}")["id"]
            for n in "bca"}
    result = glance(v2, "image-list", "--property-filter", f"set={unique}",
                    "--page-size", "1", "--sort-key", "name", "--sort-dir", "asc")
    assert listed_ids(result) == [made["a"], made["b"], made["c"]]
    result = glance(v2, "image-list", "--property-filter", f"set={unique}",
                    "--sort", "name:desc")
    assert listed_ids(result) == [made["c"], made["b"], made["a"]]


def test_image_list_filters(v2, unique):
    tagged = create(v2, unique + "-t", "--tags", unique, "--visibility", "private")["id"]
    create(v2, unique + "-u", "--visibility", "community")
    assert listed_ids(glance(v2, "image-list", "--tag", unique)) == [tagged]
    private = listed_ids(glance(v2, "image-list", "--visibility", "private"))
    assert tagged in private


def test_image_show(v2, disk, unique):
    image = create(v2, unique, *raw(disk))
    fields = show(v2, image["id"])
    assert fields["name"] == unique and fields["id"] == image["id"]
    assert fields["status"] == "active" and fields["size"] == str(disk.size)


def test_image_show_unknown(v2):
    result = v2.glance("image-show", "00000000-0000-4000-8000-000000000000").failed()
    assert "falling back to v1" not in result.err, repr(result)
    assert "HTTP 404 Not Found" in result.err, repr(result)


def test_image_update_properties(v2, unique):
    image = create(v2, unique, "--property", "a=1", "--property", "b=2")
    fields = glance(v2, "image-update", "--name", unique + "-new", "--property", "c=3",
                    "--remove-property", "a", "--min-disk", "2", image["id"]).fields()
    assert fields["name"] == unique + "-new" and fields["min_disk"] == "2"
    assert fields["b"] == "2" and fields["c"] == "3" and "a" not in fields


def test_image_tag_update_and_delete(v2, unique):
    image = create(v2, unique)
    glance(v2, "image-tag-update", image["id"], "blue")
    glance(v2, "image-tag-update", image["id"], "green")
    assert sorted(json.loads(show(v2, image["id"])["tags"])) == ["blue", "green"]
    glance(v2, "image-tag-delete", image["id"], "blue")
    assert json.loads(show(v2, image["id"])["tags"]) == ["green"]


def test_members(v2, unique):
    image = create(v2, unique, "--visibility", "shared")
    rows = glance(v2, "member-create", image["id"], "tenant-m").table()
    assert rows[1] == [image["id"], "tenant-m", "pending"]
    rows = glance(v2, "member-update", image["id"], "tenant-m", "accepted").table()
    assert rows[1] == [image["id"], "tenant-m", "accepted"]
    rows = glance(v2, "member-list", "--image-id", image["id"]).table()
    assert rows[1:] == [[image["id"], "tenant-m", "accepted"]]
    glance(v2, "member-delete", image["id"], "tenant-m")
    assert glance(v2, "member-list", "--image-id", image["id"]).table()[1:] == []


def test_image_download(v2, disk, unique, tmp_path):
    image = create(v2, unique, *raw(disk))
    out = tmp_path / "out.bin"
    glance(v2, "image-download", "--file", str(out), image["id"])
    assert out.read_bytes() == disk.data


def test_image_deactivate_and_reactivate(v2, disk, unique, tmp_path):
    image = create(v2, unique, *raw(disk))
    glance(v2, "image-deactivate", image["id"])
    assert show(v2, image["id"])["status"] == "deactivated"
    glance(v2, "image-reactivate", image["id"])
    assert show(v2, image["id"])["status"] == "active"
    out = tmp_path / "out.bin"
    glance(v2, "image-download", "--file", str(out), image["id"])
    assert out.read_bytes() == disk.data


def test_image_delete_and_protected(v2, unique):
    image = create(v2, unique, "--protected", "True")
    result = v2.glance("image-delete", image["id"]).failed()
    assert "not permitted to delete" in result.err, repr(result)  # the client's words for 403
    assert show(v2, image["id"])["status"] == "queued"
    glance(v2, "image-update", "--protected", "False", image["id"])
    glance(v2, "image-delete", image["id"])
    assert v2.glance("image-show", image["id"]).rc != 0


def test_image_import_glance_direct(v2, disk, unique):
    image = create(v2, unique, "--disk-format", "raw", "--container-format", "bare")
    glance(v2, "image-stage", "--file", disk.path, image["id"])
    assert show(v2, image["id"])["status"] == "uploading"
    glance(v2, "image-import", "--import-method", "glance-direct", image["id"])
    fields = wait_status(v2, image["id"], "uploading", "importing")
    assert fields["status"] == "active"
    assert_hashes(fields, disk)


def test_image_create_via_import_glance_direct(v2, disk, unique):
    fields = glance(v2, "image-create-via-import", "--import-method", "glance-direct",
                    "--name", unique, *raw(disk)).fields()
    fields = wait_status(v2, fields["id"], "queued", "uploading", "importing")
    assert fields["status"] == "active"
    assert_hashes(fields, disk)


def test_image_import_web_download(v2, origin_bytes, unique):
    url, data = origin_bytes
    image = create(v2, unique, "--disk-format", "raw", "--container-format", "bare")
    glance(v2, "image-import", "--import-method", "web-download", "--uri", url, image["id"])
    fields = wait_status(v2, image["id"], "queued", "importing")
    assert fields["status"] == "active"
    assert fields["checksum"] == hashlib.md5(data).hexdigest()


def test_import_info_and_stores_info(v2):
    assert "import-methods" in glance(v2, "import-info").out
    assert glance(v2, "stores-info").out.strip()
