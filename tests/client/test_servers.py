"""The client against the real servers (registry + API from paste.ini).

The servers run in `noauth` mode, where the caller is an admin without a
tenant: lists show public images by default, so most images here are public,
and each test tags its images with a unique property so it sees only its own.
"""

import hashlib
import io
import os
import re
import uuid

import pytest

from glance import client as gc
from tests.client.helpers import NoWholeReads, add, same_image
from tests.fixtureapps.origin import Origin, pattern

pytestmark = pytest.mark.functional

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


# -- add_image -----------------------------------------------------------------------


def test_add_image_with_bytes_stores_them(client, tag):
    image = add(client, tag, b"hello")
    assert (image["status"], image["size"], image["checksum"]) == \
        ("active", 5, hashlib.md5(b"hello").hexdigest())


def test_add_image_streams_a_file_object(client, tag):
    data = os.urandom(3 * 2**20 + 17)
    image = add(client, tag, NoWholeReads(data))
    assert (image["size"], image["checksum"]) == (len(data), hashlib.md5(data).hexdigest())


def test_add_image_streams_an_iterable(client, tag):
    image = add(client, tag, (bytes([i]) * 1000 for i in range(100)))
    assert image["size"] == 100_000


def test_add_image_without_data_is_queued(client, tag):
    image = add(client, tag)
    assert (image["status"], image["size"], image["checksum"]) == ("queued", 0, None)


def test_add_image_with_empty_bytes_is_an_empty_upload(client, tag):
    image = add(client, tag, b"")
    assert (image["status"], image["size"], image["checksum"]) == ("active", 0, EMPTY_MD5)


def test_add_image_returns_the_uri(client, services, tag):
    image = add(client, tag)
    assert image["uri"] == f"{services.api_url}/v1/images/{image['id']}"


def test_add_image_with_a_chosen_id(client, tag):
    wanted = str(uuid.uuid4())
    assert add(client, tag, id=wanted)["id"] == wanted
    assert client.get_image_meta(wanted)["id"] == wanted


def test_add_image_with_a_taken_id_is_duplicate(client, tag):
    taken = add(client, tag)["id"]
    with pytest.raises(gc.Duplicate) as info:
        add(client, tag, id=taken)
    assert info.value.status == 409 and str(taken) in info.value.message


def test_add_image_with_a_bad_format_is_invalid_naming_it(client, tag):
    with pytest.raises(gc.Invalid) as info:
        add(client, tag, disk_format="floppy")
    assert info.value.status == 400 and "floppy" in info.value.message


def test_add_image_with_a_size_mismatch_is_invalid(client, tag):
    with pytest.raises(gc.Invalid) as info:
        add(client, tag, io.BytesIO(b"abc"), size=4)
    assert info.value.status == 400


def test_add_image_registers_an_http_location(client, tag):
    with Origin() as origin:
        image = add(client, tag, location=origin.url("/bytes/70000"))
        meta, chunks = client.get_image(image["id"])
        assert image["status"] == "active"
        assert b"".join(chunks) == pattern(70000)


# -- metadata typing ---------------------------------------------------------------------


def test_head_metadata_equals_the_post_answer(client, tag):
    image = add(client, tag, b"x", name="Ünïcode ✓", properties={"tag": tag, "os": "Łódź"})
    assert same_image(client.get_image_meta(image["id"]), image)


def test_head_metadata_equals_the_detailed_list_entry(client, tag):
    image = add(client, tag, b"x", properties={"tag": tag, "k": "v"})
    listed, = client.get_images_detailed(property_tag=tag)
    assert same_image(client.get_image_meta(image["id"]), listed)


def test_head_metadata_of_a_queued_image_equals_its_list_entry(client, tag):
    image = add(client, tag)
    listed, = client.get_images_detailed(property_tag=tag)
    meta = client.get_image_meta(image["id"])
    assert same_image(meta, listed) and (meta["size"], meta["checksum"]) == (0, None)


def test_head_metadata_is_typed(client, tag):
    meta = client.get_image_meta(add(client, tag, b"abc")["id"])
    assert isinstance(meta["id"], str) and meta["size"] == 3
    assert meta["is_public"] is True and meta["deleted"] is False
    assert meta["properties"] == {"tag": tag}
    # Revision 2 adds microseconds; either way a timestamp is text.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?", meta["created_at"])


def test_ids_are_strings_in_every_answer(client, tag):
    image = add(client, tag, b"abc")
    entry, = client.get_images(property_tag=tag)
    detailed, = client.get_images_detailed(property_tag=tag)
    updated = client.update_image(image["id"], {"name": "again"})
    ids = {image["id"], entry["id"], detailed["id"], updated["id"],
           client.get_image_meta(image["id"])["id"]}
    assert len(ids) == 1 and isinstance(ids.pop(), str)


def test_get_image_metadata_equals_head_metadata(client, tag):
    image_id = add(client, tag, b"abc")["id"]
    meta, chunks = client.get_image(image_id)
    list(chunks)
    assert meta == client.get_image_meta(image_id)


# -- get_image -----------------------------------------------------------------------------


def test_get_image_returns_the_data(client, tag):
    data = os.urandom(300_000)
    meta, chunks = client.get_image(add(client, tag, data)["id"])
    assert b"".join(chunks) == data


def test_get_image_yields_64_kib_chunks(client, tag):
    meta, chunks = client.get_image(add(client, tag, b"z" * 200_000)["id"])
    sizes = [len(c) for c in chunks]
    assert all(size >= 65536 for size in sizes[:-1]) and sum(sizes) == 200_000


def test_get_image_with_checksum_verifies_good_data(client, tag):
    meta, chunks = client.get_image(add(client, tag, b"good")["id"], checksum=True)
    assert b"".join(chunks) == b"good"


def test_image_is_found_by_uri(client, tag):
    image = add(client, tag, b"by uri")
    meta, chunks = client.get_image(image["uri"])
    assert b"".join(chunks) == b"by uri"
    assert client.get_image_meta(image["uri"])["id"] == image["id"]


def test_get_image_of_a_queued_image_is_not_found(client, tag):
    with pytest.raises(gc.NotFound) as info:
        client.get_image(add(client, tag)["id"])
    assert info.value.status == 404 and "data" in info.value.message


def test_unknown_image_is_not_found(client):
    with pytest.raises(gc.NotFound) as info:
        client.get_image_meta(987_654_321)
    assert info.value.status == 404 and "987654321" in info.value.message


def test_abandoned_download_leaves_the_client_usable(client, tag):
    image_id = add(client, tag, b"q" * 1_000_000)["id"]
    meta, chunks = client.get_image(image_id)
    next(chunks)
    chunks.close()
    assert client.get_image_meta(image_id)["size"] == 1_000_000


def test_two_downloads_can_be_interleaved(client, tag):
    first = add(client, tag, b"1" * 200_000)["id"]
    second = add(client, tag, b"2" * 200_000)["id"]
    _, a = client.get_image(first)
    _, b = client.get_image(second)
    assert b"".join(b) == b"2" * 200_000 and b"".join(a) == b"1" * 200_000


def test_connection_is_kept_alive(client, tag):
    image_id = add(client, tag, b"k")["id"]
    local = client._pool.idle().sock.getsockname()
    meta, chunks = client.get_image(image_id)
    list(chunks)
    client.get_images(property_tag=tag)
    assert client._pool.idle().sock.getsockname() == local


# -- lists and paging ---------------------------------------------------------------------


def test_get_images_shows_brief_entries(client, tag):
    image = add(client, tag, b"x")
    entry, = client.get_images(property_tag=tag)
    assert entry["id"] == image["id"] and "status" not in entry and "properties" not in entry


def test_get_images_filters_by_name(client, tag):
    add(client, tag, name="alpha")
    add(client, tag, name="beta")
    assert [i["name"] for i in client.get_images(property_tag=tag, name="beta")] == ["beta"]


def test_get_images_limit_and_marker_give_the_next_page(client, tag):
    ids = [add(client, tag)["id"] for _ in range(5)][::-1]
    first = client.get_images(property_tag=tag, limit=2)
    second = client.get_images(property_tag=tag, limit=2, marker=first[-1]["id"])
    assert [i["id"] for i in first + second] == ids[:4]


def test_get_images_sorts(client, tag):
    for name in ("b", "c", "a"):
        add(client, tag, name=name)
    listed = client.get_images(property_tag=tag, sort_key="name", sort_dir="asc")
    assert [i["name"] for i in listed] == ["a", "b", "c"]


def test_get_images_bad_sort_key_is_invalid(client):
    with pytest.raises(gc.Invalid) as info:
        client.get_images(sort_key="shoe_size")
    assert "shoe_size" in info.value.message


def test_private_images_are_listed_with_is_public_false(client, tag):
    image = add(client, tag, is_public=False)
    assert client.get_images(property_tag=tag) == []
    assert [i["id"] for i in client.get_images(property_tag=tag, is_public=False)] == \
        [image["id"]]


def test_get_images_detailed_filters_by_property_dict(client, tag):
    image = add(client, tag, properties={"tag": tag, "distro": "debian"})
    add(client, tag, properties={"tag": tag, "distro": "arch"})
    listed, = client.get_images_detailed(properties={"tag": tag, "distro": "debian"})
    assert same_image(client.get_image_meta(image["id"]), listed)


def test_iter_images_pages_through_60_images(client, tag):
    ids = [add(client, tag)["id"] for _ in range(60)]
    seen = [i["id"] for i in client.iter_images(page_size=7, property_tag=tag)]
    assert seen == ids[::-1]          # newest first


def test_iter_images_detailed_pages_with_sorting(client, tag):
    ids = [add(client, tag, name=f"n{i:02d}")["id"] for i in range(12)]
    seen = list(client.iter_images_detailed(page_size=5, property_tag=tag,
                                            sort_key="name", sort_dir="asc"))
    assert [i["id"] for i in seen] == ids and all("properties" in i for i in seen)


def test_iter_images_starts_after_a_marker(client, tag):
    ids = [add(client, tag)["id"] for _ in range(6)][::-1]     # newest first
    seen = [i["id"] for i in client.iter_images(page_size=2, property_tag=tag,
                                                 marker=ids[1])]
    assert seen == ids[2:]


# -- update and delete -----------------------------------------------------------------------


def test_update_image_changes_fields_and_merges_properties(client, tag):
    image = add(client, tag, properties={"tag": tag, "a": "1"})
    updated = client.update_image(image["id"], {"name": "renamed", "properties": {"b": "2"}})
    assert updated["name"] == "renamed"
    assert updated["properties"] == {"tag": tag, "a": "1", "b": "2"}


def test_update_image_with_purge_props_replaces_properties(client, tag):
    image = add(client, tag, properties={"tag": tag, "a": "1"})
    updated = client.update_image(image["id"], {"properties": {"b": "2"}}, purge_props=True)
    assert updated["properties"] == {"b": "2"}


def test_update_image_uploads_data_to_a_queued_image(client, tag):
    image = add(client, tag)
    updated = client.update_image(image["id"], image_data=io.BytesIO(b"later"))
    assert (updated["status"], updated["size"]) == ("active", 5)


def test_update_image_data_of_an_active_image_is_refused(client, tag):
    image = add(client, tag, b"once")
    with pytest.raises(gc.Duplicate) as info:
        client.update_image(image["id"], image_data=b"twice")
    assert info.value.status == 409 and "immutable" in info.value.message


def test_update_unknown_image_is_not_found(client):
    with pytest.raises(gc.NotFound):
        client.update_image(987_654_321, {"name": "x"})


def test_delete_image_returns_true_and_removes_it(client, tag):
    image = add(client, tag, b"bye")
    assert client.delete_image(image["uri"]) is True
    with pytest.raises(gc.NotFound):
        client.get_image_meta(image["id"])


def test_second_delete_is_not_found(client, tag):
    image = add(client, tag)
    client.delete_image(image["id"])
    with pytest.raises(gc.NotFound):
        client.delete_image(image["id"])


def test_stopped_server_is_a_connection_error_naming_it(services):
    with pytest.raises(gc.ClientConnectionError) as info:
        gc.Client(services.api_host, 1, timeout=5).get_images()
    assert f"{services.api_host}:1" in info.value.message and info.value.status is None
