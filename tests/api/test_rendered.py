"""Renderings memoized by the stored text and the view (`glance.api.rendered`):
v1's detail list and v2's list byte for byte what json.dumps makes, v1's
HEAD headers; never stale, and each caller's own view of a shared record."""

import json

from glance.api import rendered
from glance.registry import records
from tests.api.conftest import caller

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


def create(app, **meta):
    headers = {f"x-image-meta-{k}": str(v) for k, v in meta.items()}
    return app.post("/images", headers=headers, status=201).json["image"]


def test_the_body_is_what_json_dumps_makes_of_it(app):
    for index in range(3):
        create(app, name=f"image-{index}", is_public="true", **{"property-n": index})
    for path in ("/images/detail", "/v2/images", "/v2/images?limit=2"):
        first = app.get(path)
        again = app.get(path)       # every entry from the memo
        assert first.body == again.body == json.dumps(first.json).encode()
    assert len(app.get("/images/detail").json["images"]) == 3
    page = app.get("/v2/images?limit=2").json
    assert len(page["images"]) == 2 and list(page) == ["images", "first", "schema", "next"]


def test_a_v2_change_shows_in_the_next_v2_and_v1_lists(app):
    image = app.post_json("/v2/images", {"name": "before", "visibility": "public",
                                         "tags": ["a"]}, status=201).json
    app.get("/v2/images")
    app.get("/images/detail")
    app.patch(f"/v2/images/{image['id']}", json.dumps([
        {"op": "replace", "path": "/name", "value": "after"},
        {"op": "add", "path": "/flavour", "value": "mint"}]), headers=PATCH)
    app.put(f"/v2/images/{image['id']}/tags/b", status=204)
    [entry] = app.get("/v2/images").json["images"]
    assert (entry["name"], entry["flavour"], entry["tags"]) == ("after", "mint", ["a", "b"])
    [entry] = app.get("/images/detail").json["images"]
    assert (entry["name"], entry["properties"]) == ("after", {"flavour": "mint"})


def test_a_change_shows_in_the_next_list(app):
    image = create(app, name="before", is_public="true", **{"property-k": "1"})
    app.get("/images/detail")
    app.put(f"/images/{image['id']}", headers={"x-image-meta-name": "after",
                                               "x-image-meta-property-k": "2"})
    [entry] = app.get("/images/detail").json["images"]
    assert (entry["name"], entry["properties"]) == ("after", {"k": "2"})
    app.delete(f"/images/{image['id']}")
    assert app.get("/images/detail").json["images"] == []


def test_each_host_gets_its_own_uri(app):
    image = create(app, name="seen", is_public="true")
    for host in ("glance.example.com", "10.0.0.5:9292"):
        [entry] = app.get("/images/detail", headers={"Host": host}).json["images"]
        assert entry["uri"] == f"http://{host}/images/{image['id']}"


def test_admins_and_others_each_see_their_own_view(root):
    admin = caller(root, admin=True)
    admin.post("/v1/images", headers={"x-image-meta-name": "pub", "x-image-meta-is_public": "true",
                                      "x-image-meta-location": "http://93.184.215.14/x.img",
                                      "x-image-meta-size": "1"})
    alice = caller(root, "alice")
    for _ in range(2):      # the second round from the memo, in either order
        [for_alice] = alice.get("/v1/images/detail").json["images"]
        [for_admin] = admin.get("/v1/images/detail").json["images"]
        assert "location" not in for_alice
        assert for_admin["location"] == "http://93.184.215.14/x.img"


def test_head_after_a_change_shows_the_change(app):
    image = create(app, name="before", **{"property-k": "1"})
    url = f"/images/{image['id']}"
    assert app.head(url).headers["x-image-meta-name"] == "before"
    app.put(url, headers={"x-image-meta-name": "after", "x-image-meta-property-k": "2"})
    res = app.head(url)
    assert (res.headers["x-image-meta-name"], res.headers["x-image-meta-property-k"]) == (
        "after", "2")


def test_head_and_lists_of_one_record_are_rendered_apart(app):
    """One stored text, several renderings: HEAD's headers, the v1 and v2
    list entries, for each Host its own Location."""
    image = create(app, name="one", is_public="true")
    url = f"/images/{image['id']}"
    for _ in range(2):
        for host in (None, "a.example", "b.example"):
            headers = {"Host": host} if host else {}
            res = app.head(url, headers=headers)
            assert res.headers["Location"].endswith(f"{host or ''}{url}")
            assert res.headers["Content-Length"] == "0"
            [entry] = app.get("/images/detail", headers=headers).json["images"]
            assert entry["uri"] == res.headers["Location"]
        assert app.get("/v2/images").json["images"][0]["name"] == "one"


def test_head_shows_the_location_to_admins_only(root):
    admin = caller(root, admin=True)
    image = admin.post("/v1/images", headers={
        "x-image-meta-name": "pub", "x-image-meta-is_public": "true",
        "x-image-meta-location": "http://93.184.215.14/x.img",
        "x-image-meta-size": "1"}).json["image"]
    alice = caller(root, "alice")
    for _ in range(2):
        assert "x-image-meta-location" not in alice.head(f"/v1/images/{image['id']}").headers
        assert (admin.head(f"/v1/images/{image['id']}").headers["x-image-meta-location"]
                == "http://93.184.215.14/x.img")


def image(text, name):
    entry = records.Record(name=name)
    entry.packed = text
    return entry


def test_one_text_and_view_is_presented_once_and_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(rendered, "_memo", {})
    monkeypatch.setattr(rendered, "MEMO_SIZE", 4)
    presented = []

    def present(entry):
        presented.append(entry["name"])
        return dict(entry)

    images = [image("text-a", "a"), image("text-b", "b")]
    assert (rendered.document("images", images, present, "view")
            == b'{"images": [{"name": "a"}, {"name": "b"}]}')
    rendered.document("images", images, present, "view")
    assert presented == ["a", "b"]
    rendered.document("images", images, present, "other view")     # presented again
    assert presented == ["a", "b", "a", "b"]
    unmemoized = image(None, "c")                   # no text: presented every time
    rendered.document("images", [unmemoized, unmemoized], present, "view")
    assert presented[-2:] == ["c", "c"]
    rendered.document("images", [image(f"text-{n}", str(n)) for n in range(10)], present, "view")
    assert rendered.memo_size() == 4


def test_the_rest_of_the_document_follows_as_json_dumps_writes_it():
    rest = {"first": "/v2/images?limit=1", "schema": "/v2/schemas/images", "x": ["ü", None]}
    for images in ([], [{"name": "a"}]):
        body = rendered.document("images", images, dict, "view", rest)
        assert body == json.dumps({"images": images, **rest}).encode()
    assert rendered.document("members", [], dict, "view") == b'{"members": []}'


def test_an_empty_list(app):
    assert app.get("/images/detail").body == b'{"images": []}'
