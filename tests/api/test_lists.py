"""GET /images and /images/detail (CONTRACT §2 lists, §8 lists)."""

import pytest

from tests.api.conftest import upload_headers

BRIEF = {"id", "uri", "name", "type", "disk_format", "container_format", "checksum", "size"}


def create(app, **meta):
    headers = {f"x-image-meta-{k}": str(v) for k, v in meta.items()}
    return app.post("/images", headers=headers, status=201).json["image"]


def ids(res):
    return [image["id"] for image in res.json["images"]]


def test_default_list_shows_only_public_images(app):
    public = create(app, name="pub", is_public="true")
    create(app, name="priv")
    assert ids(app.get("/images")) == [public["id"]]
    assert ids(app.get("/images/detail")) == [public["id"]]


def test_brief_entries_carry_exactly_the_brief_fields(app):
    create(app, name="pub", is_public="true")
    [entry] = app.get("/images").json["images"]
    assert set(entry) == BRIEF


def test_detail_entries_are_full_images(app):
    create(app, name="pub", is_public="true", **{"property-x": "1"})
    [entry] = app.get("/images/detail").json["images"]
    assert entry["properties"] == {"x": "1"}
    assert entry["status"] == "queued" and entry["deleted"] is False


def test_is_public_false_lists_private_images(app):
    create(app, is_public="true")
    private = create(app)
    assert ids(app.get("/images/detail?is_public=false")) == [private["id"]]


def test_newest_first_then_id_descending(app):
    made = [create(app, is_public="true")["id"] for _ in range(3)]
    assert ids(app.get("/images")) == made[::-1]


def test_limit_and_marker_page_through(app):
    made = [create(app, is_public="true")["id"] for _ in range(5)]
    first = ids(app.get("/images?limit=2"))
    second = ids(app.get(f"/images?limit=2&marker={first[-1]}"))
    third = ids(app.get(f"/images?limit=2&marker={second[-1]}"))
    assert first + second + third == made[::-1]


def test_sort_key_and_dir(app):
    for name in ("b", "c", "a"):
        create(app, name=name, is_public="true")
    names = [i["name"] for i in app.get("/images?sort_key=name&sort_dir=asc").json["images"]]
    assert names == ["a", "b", "c"]


@pytest.mark.parametrize("query", ["limit=-1", "limit=x", "sort_dir=up", "sort_key=bogus",
                                   "sort_key=properties", "size_min=x", "is_public=maybe",
                                   "marker=abc", "marker=999"])
def test_bad_list_parameters_are_400(app, query):
    res = app.get(f"/images?{query}", status=400)
    assert res.json["error"]["message"]


def test_filters_narrow_the_list(app):
    create(app, name="a", disk_format="raw", is_public="true")
    wanted = create(app, name="b", disk_format="qcow2", is_public="true", **{"property-os": "x"})
    assert ids(app.get("/images?disk_format=qcow2")) == [wanted["id"]]
    assert ids(app.get("/images?name=b")) == [wanted["id"]]
    assert ids(app.get("/images?property-os=x")) == [wanted["id"]]


def test_size_filters_are_inclusive(app):
    small = app.post("/images", b"x" * 10, headers=upload_headers(is_public="true"),
                     status=201).json["image"]
    big = app.post("/images", b"x" * 20, headers=upload_headers(is_public="true"),
                   status=201).json["image"]
    assert ids(app.get("/images?size_min=10&size_max=10")) == [small["id"]]
    assert ids(app.get("/images?size_min=11")) == [big["id"]]


def test_list_uris_keep_the_v1_prefix(app):
    created = create(app, is_public="true")
    [entry] = app.get("/v1/images").json["images"]
    assert entry["uri"] == f"http://localhost/v1/images/{created['id']}"


def test_limit_zero_is_empty(app):
    create(app, is_public="true")
    assert app.get("/images?limit=0").json["images"] == []
