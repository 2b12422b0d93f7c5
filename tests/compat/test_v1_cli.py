"""Every `glance` v1 command of python-glanceclient 2.17.1, as a user types it.

`glance --os-image-api-version 1 --os-image-url URL --os-auth-token x <command>`
against the v1 target (ours from paste.ini, or real Glance Queens).  The
tests look at what the user sees: the exit code, the tables printed, the
bytes downloaded.  Callers are noauth admins without a tenant, as on a real
Glance with the unauthenticated context: their default list shows public
images only (CONTRACT §2), so list tests make their images public or ask for
`--all-tenants`.
"""

import time

import pytest

API = "v1"

WAIT = 30  # seconds a copy-from may take to turn active


def update(v1, image, *args):
    """`image-update args… image` → the printed fields (exit 0 asserted).

    From a terminal: 2.17.1 crashes on a queued image when stdin is closed
    (clients.py says why), and an open pipe would be sent as image data.
    """
    return v1.glance("image-update", *args, image, stdin="tty").fields()


def create(v1, name, *args):
    """`image-create --name name args…` → the printed fields (exit 0 asserted)."""
    return v1.glance("image-create", "--name", name, *args).fields()


def show(v1, image):
    return v1.glance("image-show", image).fields()


def listed_ids(result):
    """The ID column of an `image-list` table, in order."""
    rows = result.ok().table()
    return [row[0] for row in rows[1:]]


def downloaded(v1, image, tmp_path):
    out = tmp_path / "download.bin"
    v1.glance("image-download", "--file", str(out), image).ok()
    return out.read_bytes()


def wait_active(v1, image):
    deadline = time.monotonic() + WAIT
    while True:
        fields = show(v1, image)
        if fields["status"] not in ("queued", "saving") or time.monotonic() > deadline:
            return fields
        time.sleep(0.5)


def raw_image(disk):
    return ("--disk-format", "raw", "--container-format", "bare", "--file", disk.path)


# -- image-create ---------------------------------------------------------------

def test_image_create_with_file(v1, disk, unique):
    fields = create(v1, unique, *raw_image(disk))
    assert fields["status"] == "active"
    assert fields["size"] == str(disk.size)
    assert fields["checksum"] == disk.md5
    assert fields["is_public"] == "False"
    assert fields["name"] == unique


def test_image_create_without_file_is_queued(v1, unique):
    fields = create(v1, unique)
    assert fields["status"] == "queued"
    assert fields["size"] == "0"


def test_image_create_with_location(v1, origin_bytes, unique, tmp_path):
    url, data = origin_bytes
    fields = create(v1, unique, "--disk-format", "raw", "--container-format", "bare",
                    "--location", url)
    assert fields["status"] == "active"
    assert fields["size"] == str(len(data))
    assert downloaded(v1, fields["id"], tmp_path) == data


def test_image_create_with_copy_from(v1, origin_bytes, unique, tmp_path):
    url, data = origin_bytes
    fields = create(v1, unique, "--disk-format", "raw", "--container-format", "bare",
                    "--copy-from", url)
    assert fields["status"] in ("queued", "saving", "active")
    fields = wait_active(v1, fields["id"])
    assert fields["status"] == "active"
    assert fields["size"] == str(len(data))
    assert downloaded(v1, fields["id"], tmp_path) == data


def test_image_create_is_public(v1, disk, unique):
    fields = create(v1, unique, "--is-public", "True", *raw_image(disk))
    assert fields["is_public"] == "True"
    assert fields["id"] in listed_ids(v1.glance("image-list", "--name", unique))


def test_image_create_is_protected_refuses_delete(v1, unique):
    fields = create(v1, unique, "--is-protected", "True")
    assert fields["protected"] == "True"
    result = v1.glance("image-delete", fields["id"])
    # 2.17.1 prints the failure and still exits 0.
    assert "Unable to delete image" in result.out + result.err, repr(result)
    assert show(v1, fields["id"])["status"] == "queued"
    update(v1, fields["id"], "--is-protected", "False")
    v1.glance("image-delete", fields["id"]).ok()


def test_image_create_min_disk_min_ram(v1, unique):
    fields = create(v1, unique, "--min-disk", "10", "--min-ram", "512")
    assert (fields["min_disk"], fields["min_ram"]) == ("10", "512")


def test_image_create_owner(v1, unique):
    fields = create(v1, unique, "--owner", "tenant-compat")
    assert fields["owner"] == "tenant-compat"


def test_image_create_properties(v1, unique):
    fields = create(v1, unique, "--property", "distro=cirros", "--property", "arch=x86_64")
    assert fields["Property 'distro'"] == "cirros"
    assert fields["Property 'arch'"] == "x86_64"


def test_image_create_error_is_shown(v1, unique):
    result = v1.glance("image-create", "--name", unique, "--disk-format", "floppy").failed()
    assert "Invalid disk format" in result.err, repr(result)
    assert "has no attribute" not in result.err, repr(result)


# -- image-show, image-update, image-delete, image-download ---------------------

def test_image_show_by_id_and_by_name(v1, unique):
    image = create(v1, unique, "--is-public", "True", "--property", "k=v")
    by_id = show(v1, image["id"])
    assert by_id["name"] == unique and by_id["Property 'k'"] == "v"
    assert show(v1, unique)["id"] == image["id"]  # a name is looked up in the list


def test_image_show_unknown(v1):
    result = v1.glance("image-show", "00000000-0000-4000-8000-000000000000").failed()
    assert "No image with a name or ID of" in result.err, repr(result)


def test_image_update_merges_properties(v1, unique):
    image = create(v1, unique, "--property", "a=1")
    fields = update(v1, image["id"], "--name", unique + "-new", "--property", "b=2",
                    "--min-ram", "128")
    assert fields["name"] == unique + "-new"
    assert fields["min_ram"] == "128"
    assert (fields["Property 'a'"], fields["Property 'b'"]) == ("1", "2")


def test_image_update_purge_props(v1, unique):
    image = create(v1, unique, "--property", "a=1", "--property", "b=2")
    fields = update(v1, image["id"], "--purge-props", "--property", "c=3")
    assert fields["Property 'c'"] == "3"
    assert "Property 'a'" not in fields and "Property 'b'" not in fields


def test_image_update_uploads_to_queued_image(v1, disk, unique, tmp_path):
    image = create(v1, unique, "--disk-format", "raw", "--container-format", "bare")
    fields = update(v1, image["id"], "--file", disk.path)
    assert fields["status"] == "active" and fields["checksum"] == disk.md5
    assert downloaded(v1, image["id"], tmp_path) == disk.data


def test_image_delete(v1, disk, unique):
    image = create(v1, unique, "--is-public", "True", *raw_image(disk))
    v1.glance("image-delete", image["id"]).ok()
    assert image["id"] not in listed_ids(v1.glance("image-list", "--all-tenants"))
    result = v1.glance("image-delete", image["id"]).failed()
    assert "No image with" in result.err, repr(result)


def test_image_download(v1, disk, unique, tmp_path):
    image = create(v1, unique, *raw_image(disk))
    assert downloaded(v1, image["id"], tmp_path) == disk.data


def test_image_download_to_stdout(v1, disk, unique):
    image = create(v1, unique, *raw_image(disk))
    result = v1.glance("image-download", image["id"]).ok()
    assert len(result.out.encode("utf-8", "surrogateescape")) > 0


# -- image-list -------------------------------------------------------------------

@pytest.fixture
def three_public(v1, disk, unique):
    """Three public images sharing a property `set=<unique>`, named a, b, c."""
    ids = {}
    for letter, size_args in (("b", ()), ("a", ()), ("c", ())):
        ids[letter] = create(v1, f"{unique}-{letter}", "--is-public", "True",
                             "--property", f"set={unique}", *size_args)["id"]
    return unique, ids


def test_image_list_filter_by_name(v1, three_public):
    unique, ids = three_public
    result = v1.glance("image-list", "--name", f"{unique}-a")
    assert listed_ids(result) == [ids["a"]]


def test_image_list_filter_by_property(v1, three_public):
    unique, ids = three_public
    result = v1.glance("image-list", "--property-filter", f"set={unique}")
    assert sorted(listed_ids(result)) == sorted(ids.values())


def test_image_list_filter_by_formats_status_and_size(v1, disk, unique):
    image = create(v1, unique, "--is-public", "True", "--property", f"set={unique}",
                   "--disk-format", "qcow2", "--container-format", "ovf", "--file", disk.path)
    create(v1, unique + "-other", "--is-public", "True", "--property", f"set={unique}")
    query = ("image-list", "--property-filter", f"set={unique}")
    assert listed_ids(v1.glance(*query, "--disk-format", "qcow2")) == [image["id"]]
    assert listed_ids(v1.glance(*query, "--container-format", "ovf")) == [image["id"]]
    assert listed_ids(v1.glance(*query, "--status", "active")) == [image["id"]]
    assert listed_ids(v1.glance(*query, "--size-min", str(disk.size))) == [image["id"]]
    assert image["id"] not in listed_ids(v1.glance(*query, "--size-max", str(disk.size - 1)))


def test_image_list_paging_and_sort(v1, three_public):
    unique, ids = three_public
    query = ("image-list", "--property-filter", f"set={unique}", "--page-size", "1")
    ascending = listed_ids(v1.glance(*query, "--sort-key", "name", "--sort-dir", "asc"))
    assert ascending == [ids["a"], ids["b"], ids["c"]]
    descending = listed_ids(v1.glance(*query, "--sort-key", "name", "--sort-dir", "desc"))
    assert descending == [ids["c"], ids["b"], ids["a"]]


def test_image_list_changes_since(v1, unique):
    before = v1.python("""
        def main(p):
            import datetime
            return datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S")
    """)
    time.sleep(1.1)
    image = create(v1, unique)
    gone = create(v1, unique + "-deleted")
    v1.glance("image-delete", gone["id"]).ok()
    result = v1.glance("image-list", "--changes-since", before, "--all-tenants")
    rows = {row[0]: row for row in result.ok().table()[1:]}
    assert image["id"] in rows
    assert rows[gone["id"]][-1] == "deleted"


def test_image_list_owner(v1, unique):
    mine = create(v1, unique, "--owner", "tenant-owner-filter")
    create(v1, unique + "-other", "--owner", "tenant-someone-else")
    result = v1.glance("image-list", "--owner", "tenant-owner-filter", "--name", unique)
    assert listed_ids(result) == [mine["id"]]


def test_image_list_all_tenants(v1, unique):
    private = create(v1, unique, "--is-public", "False", "--owner", "tenant-private")
    assert private["id"] not in listed_ids(v1.glance("image-list", "--name", unique))
    assert listed_ids(v1.glance("image-list", "--all-tenants", "--name", unique)) == [
        private["id"]]


# -- members ----------------------------------------------------------------------

# 2.17.1 prints can_share False as an empty cell.
def test_member_create_list_delete(v1, unique):
    image = create(v1, unique, "--owner", "tenant-sharer")
    v1.glance("member-create", image["id"], "tenant-member").ok()
    rows = v1.glance("member-list", "--image-id", image["id"]).ok().table()
    assert rows[1:] == [[image["id"], "tenant-member", ""]]
    rows = v1.glance("member-list", "--tenant-id", "tenant-member").ok().table()
    assert [image["id"], "tenant-member", ""] in rows[1:]
    v1.glance("member-delete", image["id"], "tenant-member").ok()
    rows = v1.glance("member-list", "--image-id", image["id"]).ok().table()
    assert rows[1:] == []


def test_member_create_can_share(v1, unique):
    image = create(v1, unique, "--owner", "tenant-sharer")
    v1.glance("member-create", "--can-share", image["id"], "tenant-trusted").ok()
    rows = v1.glance("member-list", "--image-id", image["id"]).ok().table()
    assert rows[1:] == [[image["id"], "tenant-trusted", "True"]]
