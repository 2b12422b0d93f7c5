"""The v1 detail list's entries, memoized by the stored text and the view
(`glance.api.v1.detail`): byte for byte the answer json.dumps makes, never
stale, and each caller's own view of a shared entry."""

import json

from glance.api.v1 import detail
from tests.api.conftest import caller


def create(app, **meta):
    headers = {f"x-image-meta-{k}": str(v) for k, v in meta.items()}
    return app.post("/images", headers=headers, status=201).json["image"]


def test_the_body_is_what_json_dumps_makes_of_it(app):
    for index in range(3):
        create(app, name=f"image-{index}", is_public="true", **{"property-n": index})
    first = app.get("/images/detail")
    again = app.get("/images/detail")       # every entry from the memo
    assert first.body == again.body == json.dumps(first.json).encode()
    assert len(first.json["images"]) == 3


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


class Image(dict):
    __slots__ = ("packed",)


def image(text, name):
    entry = Image(name=name)
    entry.packed = text
    return entry


def test_one_text_and_view_is_presented_once_and_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(detail, "_memo", {})
    monkeypatch.setattr(detail, "MEMO_SIZE", 4)
    presented = []

    def present(entry):
        presented.append(entry["name"])
        return dict(entry)

    images = [image("text-a", "a"), image("text-b", "b")]
    assert detail.body(images, present, "view") == b'{"images": [{"name": "a"}, {"name": "b"}]}'
    detail.body(images, present, "view")
    assert presented == ["a", "b"]
    detail.body(images, present, "other view")     # another view: presented again
    assert presented == ["a", "b", "a", "b"]
    unmemoized = image(None, "c")                   # no text: presented every time
    detail.body([unmemoized, unmemoized], present, "view")
    assert presented[-2:] == ["c", "c"]
    detail.body([image(f"text-{n}", str(n)) for n in range(10)], present, "view")
    assert detail.memo_size() == 4


def test_an_empty_list(app):
    assert app.get("/images/detail").body == b'{"images": []}'
