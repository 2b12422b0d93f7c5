"""PUT /images/<id> (CONTRACT §2 PUT, §8)."""

import pytest

from tests.api.conftest import md5, stored_files, upload_headers


@pytest.fixture
def queued(app):
    return app.post("/images", headers={"x-image-meta-name": "q",
                                        "x-image-meta-property-a": "1",
                                        "x-image-meta-property-b": "2"},
                    status=201).json["image"]


def test_metadata_headers_update_fields(app, queued):
    res = app.put(f"/images/{queued['id']}", headers={"x-image-meta-name": "renamed"},
                  status=200)
    assert res.json["image"]["name"] == "renamed"
    assert res.headers["Location"] == res.json["image"]["uri"]


def test_properties_are_replaced_by_default(app, queued):
    image = app.put(f"/images/{queued['id']}", headers={"x-image-meta-property-b": "3",
                                                        "x-image-meta-property-c": "4"}
                    ).json["image"]
    assert image["properties"] == {"b": "3", "c": "4"}


def test_an_update_without_properties_clears_them(app, queued):
    image = app.put(f"/images/{queued['id']}", headers={"x-image-meta-name": "n"}).json["image"]
    assert image["properties"] == {}


@pytest.mark.parametrize("value", ["false", "False", "FALSE"])
def test_purge_props_false_merges(app, queued, value):
    image = app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-property-b": "3", "x-image-meta-property-c": "4",
        "x-glance-registry-purge-props": value}).json["image"]
    assert image["properties"] == {"a": "1", "b": "3", "c": "4"}


@pytest.mark.parametrize("value", ["", "None"])
def test_empty_or_none_purge_props_replaces(app, queued, value):
    image = app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-property-c": "4", "x-glance-registry-purge-props": value}).json["image"]
    assert image["properties"] == {"c": "4"}


def test_a_put_with_image_data_merges_properties(app, queued):
    image = app.put(f"/images/{queued['id']}", b"data", headers={
        **upload_headers(property_c="4"), "x-glance-registry-purge-props": "true"}).json["image"]
    assert image["properties"] == {"a": "1", "b": "2", "c": "4"}


def test_purge_props_replaces_the_set(app, queued):
    image = app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-property-c": "4", "x-glance-registry-purge-props": "True"}).json["image"]
    assert image["properties"] == {"c": "4"}


def test_purge_props_without_properties_clears_them(app, queued):
    image = app.put(f"/images/{queued['id']}",
                    headers={"x-glance-registry-purge-props": "true"}).json["image"]
    assert image["properties"] == {}


def test_updated_at_changes_and_created_at_stays(app, queued):
    import time
    time.sleep(1.1)
    image = app.put(f"/images/{queued['id']}", headers={"x-image-meta-name": "x"}).json["image"]
    assert image["created_at"] == queued["created_at"]
    assert image["updated_at"] > queued["updated_at"]


def test_unknown_id_is_404(app):
    app.put("/images/999", headers={"x-image-meta-name": "x"}, status=404)


def test_data_for_a_queued_image_uploads_it(app, queued, data_dir):
    image = app.put(f"/images/{queued['id']}", b"payload", headers=upload_headers(),
                    status=200).json["image"]
    assert (image["status"], image["size"], image["checksum"]) == ("active", 7, md5(b"payload"))
    assert app.get(f"/images/{queued['id']}").body == b"payload"
    assert stored_files(data_dir) == [str(queued["id"])]


def test_data_for_an_active_image_is_409_immutable(app, queued):
    app.put(f"/images/{queued['id']}", b"first", headers=upload_headers(), status=200)
    res = app.put(f"/images/{queued['id']}", b"second", headers=upload_headers(), status=409)
    assert "immutable" in res.json["error"]["message"]
    assert app.get(f"/images/{queued['id']}").body == b"first"


def test_failed_put_upload_kills_the_image(app, queued, data_dir):
    app.put(f"/images/{queued['id']}", b"abc", headers=upload_headers(size=9), status=400)
    assert app.head(f"/images/{queued['id']}").headers["x-image-meta-status"] == "killed"
    assert stored_files(data_dir) == []


def test_location_for_a_queued_image_activates_it(app, queued):
    image = app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-location": "http://93.184.215.14/i", "x-image-meta-size": "5"}).json["image"]
    assert (image["status"], image["size"]) == ("active", 5)


def test_location_for_an_active_image_is_409(app, queued):
    app.put(f"/images/{queued['id']}", b"abc", headers=upload_headers(), status=200)
    res = app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-location": "http://93.184.215.14/i", "x-image-meta-size": "5"}, status=409)
    assert res.json["error"]["message"] == (
        "Attempted to update Location field for an image not in queued status.")


def test_copy_from_for_an_active_image_is_409(app, queued):
    app.put(f"/images/{queued['id']}", b"abc", headers=upload_headers(), status=200)
    res = app.put(f"/images/{queued['id']}", headers={
        "x-glance-api-copy-from": "http://93.184.215.14/i"}, status=409)
    assert "not in queued status" in res.json["error"]["message"]


@pytest.mark.parametrize("extra", [{"x-image-meta-location": "http://93.184.215.14/i"},
                                   {"x-glance-api-copy-from": "http://93.184.215.14/i"}])
def test_data_with_a_location_or_copy_from_is_400_and_changes_nothing(app, queued, extra):
    res = app.put(f"/images/{queued['id']}", b"abc", headers={**upload_headers(), **extra},
                  status=400)
    assert "image data" in res.json["error"]["message"]
    head = app.head(f"/images/{queued['id']}")
    assert head.headers["x-image-meta-status"] == "queued"


def test_location_with_copy_from_is_400(app, queued):
    app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-location": "http://93.184.215.14/i", "x-image-meta-size": "5",
        "x-glance-api-copy-from": "http://93.184.215.14/i"}, status=400)


@pytest.mark.parametrize("status", ["active", "killed", "saving", "deleted", "bogus"])
def test_a_different_status_is_403_and_changes_nothing(app, queued, status):
    res = app.put(f"/images/{queued['id']}", headers={"x-image-meta-status": status,
                                                      "x-image-meta-name": "changed"},
                  status=403)
    assert res.json["error"]["message"] == "Forbidden to modify 'status' of image."
    head = app.head(f"/images/{queued['id']}")
    assert head.headers["x-image-meta-status"] == "queued"
    assert head.headers["x-image-meta-name"] == "q"


def test_the_same_status_is_ignored(app, queued):
    image = app.put(f"/images/{queued['id']}", headers={"x-image-meta-status": "queued",
                                                        "x-image-meta-name": "n"}).json["image"]
    assert (image["status"], image["name"]) == ("queued", "n")


def test_other_server_fields_are_ignored_on_update(app, queued):
    image = app.put(f"/images/{queued['id']}", headers={
        "x-image-meta-size": "77", "x-image-meta-checksum": "abc",
        "x-image-meta-created_at": "2000-01-01T00:00:00",
        "x-image-meta-deleted": "true"}).json["image"]
    assert (image["size"], image["checksum"], image["deleted"]) == (0, None, False)
    assert image["created_at"] == queued["created_at"]


def test_invalid_update_is_400_and_changes_nothing(app, queued):
    app.put(f"/images/{queued['id']}", headers={"x-image-meta-container_format": "floppy"},
            status=400)
    assert "x-image-meta-container_format" not in app.head(f"/images/{queued['id']}").headers
