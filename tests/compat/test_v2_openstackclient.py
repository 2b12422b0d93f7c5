"""The latest `openstack` CLI (python-openstackclient) on the Images API v2.

Without Keystone, as CONTRACT §4 says a user runs it:
`openstack --os-auth-type none --os-endpoint URL image …` (unversioned
endpoint), and token mode `--os-auth-type admin_token --os-endpoint URL/v2
--os-token T`.  Output is read with `-f json` / `-f value`, the forms scripts
use; downloads are compared byte for byte.
"""

import hashlib

API = "v2"

PROJECT = "9d2c7d3e0f8a4b5c9e1f2a3b4c5d6e7f"  # a project id, used verbatim


def osc(v2, *args):
    return v2.openstack(*args).ok()


def create(v2, name, *args):
    return osc(v2, "image", "create", "-f", "json", *args, name).json()


def show(v2, image):
    return osc(v2, "image", "show", "-f", "json", image).json()


def raw(disk):
    return ("--disk-format", "raw", "--container-format", "bare", "--file", disk.path)


def test_image_create_with_file(v2, disk, unique):
    image = create(v2, unique, *raw(disk), "--property", "hw_disk_bus=virtio",
                   "--min-ram", "64", "--tag", "base")
    assert image["status"] == "active" and image["size"] == disk.size
    assert image["checksum"] == disk.md5
    assert image["min_ram"] == 64 and image["tags"] == ["base"]


def test_image_list(v2, disk, unique):
    image = create(v2, unique, *raw(disk))
    listed = osc(v2, "image", "list", "-f", "json", "--name", unique).json()
    assert [(row["ID"], row["Name"], row["Status"]) for row in listed] == [
        (image["id"], unique, "active")]


def test_image_list_long_with_property_filter_and_paging(v2, unique):
    made = sorted(create(v2, f"{unique}-{n}", "--property", f"compat_set={unique}")["id"]
                  for n in range(3))
    listed = osc(v2, "image", "list", "-f", "json", "--long", "--property",
                 f"compat_set={unique}", "--limit", "1").json()
    assert len(listed) == 1
    listed = osc(v2, "image", "list", "-f", "json", "--property",
                 f"compat_set={unique}", "--sort", "name:asc").json()
    assert sorted(row["ID"] for row in listed) == made
    assert [row["Name"] for row in listed] == [f"{unique}-{n}" for n in range(3)]


def test_image_show_by_id_and_by_name(v2, disk, unique):
    image = create(v2, unique, *raw(disk))
    assert show(v2, image["id"])["name"] == unique
    assert show(v2, unique)["id"] == image["id"]


def test_image_show_unknown(v2):
    result = v2.openstack("image", "show", "compat-no-such-image").failed()
    assert "No Image found for compat-no-such-image" in result.err, repr(result)


def test_image_set_and_unset_properties(v2, unique):
    image = create(v2, unique, "--property", "a=1")
    osc(v2, "image", "set", "--property", "b=2", "--min-disk", "3",
        "--name", unique + "-new", image["id"])
    shown = show(v2, image["id"])
    assert shown["name"] == unique + "-new" and shown["min_disk"] == 3
    assert shown["properties"]["a"] == "1" and shown["properties"]["b"] == "2"
    osc(v2, "image", "unset", "--property", "a", image["id"])
    assert "a" not in show(v2, image["id"])["properties"]


def test_image_set_and_unset_tags(v2, unique):
    image = create(v2, unique)
    osc(v2, "image", "set", "--tag", "red", "--tag", "blue", image["id"])
    assert sorted(show(v2, image["id"])["tags"]) == ["blue", "red"]
    osc(v2, "image", "unset", "--tag", "red", image["id"])
    assert show(v2, image["id"])["tags"] == ["blue"]


def test_image_members(v2, unique):
    image = create(v2, unique, "--shared")
    added = osc(v2, "image", "add", "project", "-f", "json", image["id"], PROJECT).json()
    assert added["status"] == "pending"
    osc(v2, "image", "set", "--accept", "--project", PROJECT, image["id"])
    members = osc(v2, "image", "member", "list", "-f", "json", image["id"]).json()
    assert [(m["Member ID"], m["Status"]) for m in members] == [(PROJECT, "accepted")]
    osc(v2, "image", "remove", "project", image["id"], PROJECT)
    assert osc(v2, "image", "member", "list", "-f", "json", image["id"]).json() == []


def test_image_save(v2, disk, unique, tmp_path):
    image = create(v2, unique, *raw(disk))
    out = tmp_path / "saved.img"
    osc(v2, "image", "save", "--file", str(out), image["id"])
    assert out.read_bytes() == disk.data


def test_image_delete(v2, unique):
    image = create(v2, unique)
    osc(v2, "image", "delete", image["id"])
    assert v2.openstack("image", "show", image["id"]).rc != 0


def test_image_delete_protected_is_refused(v2, unique):
    image = create(v2, unique, "--protected")
    v2.openstack("image", "delete", image["id"]).failed()
    assert show(v2, image["id"])["protected"] is True
    osc(v2, "image", "set", "--unprotected", image["id"])
    osc(v2, "image", "delete", image["id"])


def test_image_deactivate_and_reactivate(v2, disk, unique):
    image = create(v2, unique, *raw(disk))
    osc(v2, "image", "set", "--deactivate", image["id"])
    assert show(v2, image["id"])["status"] == "deactivated"
    osc(v2, "image", "set", "--activate", image["id"])
    assert show(v2, image["id"])["status"] == "active"


def test_token_mode(v2, disk, unique, tmp_path):
    image = v2.openstack_token("image", "create", "-f", "json", *raw(disk), unique).json()
    assert image["status"] == "active"
    listed = v2.openstack_token("image", "list", "-f", "value", "-c", "ID",
                                "--name", unique).ok()
    assert listed.out.split() == [image["id"]]
    out = tmp_path / "saved.img"
    v2.openstack_token("image", "save", "--file", str(out), image["id"]).ok()
    assert hashlib.md5(out.read_bytes()).hexdigest() == disk.md5
