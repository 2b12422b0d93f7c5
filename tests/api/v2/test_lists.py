"""`GET /v2/images` through the pipeline (`glance.api.v2.images.Images.index`):
which images, pages and their links (CONTRACT §4 Lists, §10 Lists)."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from glance.api.v2 import images
from glance.api.v2.common import Services
from glance.registry.query import ImageQuery
from tests.api.v2.conftest import ADMIN, ANONYMOUS, OTHER, OWNER, create, error, patch


def listed(api, query="", caller=OWNER):
    return api.get("/v2/images" + (f"?{query}" if query else ""), headers=caller).json


def names(document):
    return [image["name"] for image in document["images"]]


@pytest.fixture
def mixed(api):
    """Images of tenant-a and tenant-b in every visibility; tenant-a is a
    member of two of tenant-b's shared images (one accepted, one pending)."""
    for owner, tenant in ((OWNER, "a"), (OTHER, "b")):
        for visibility in ("private", "shared", "community"):
            create(api, owner, name=f"{tenant}-{visibility}", visibility=visibility)
    create(api, ADMIN, name="admin-public", visibility="public")
    for name, status in (("b-accepted", "accepted"), ("b-pending", None)):
        image = create(api, OTHER, name=name)
        api.post_json(f"/v2/images/{image['id']}/members", {"member": "tenant-a"},
                      headers=OTHER)
        if status:
            api.put_json(f"/v2/images/{image['id']}/members/tenant-a", {"status": status},
                         headers=OWNER)
    return api


def test_the_default_list(mixed):
    assert sorted(names(listed(mixed))) == [
        "a-community", "a-private", "a-shared", "admin-public", "b-accepted"]
    assert sorted(names(listed(mixed, "member_status=pending"))) == [
        "a-community", "a-private", "a-shared", "admin-public", "b-pending"]
    assert len(listed(mixed, caller=ADMIN)["images"]) == 9
    assert names(listed(mixed, caller=ANONYMOUS)) == ["admin-public"]


@pytest.mark.parametrize("visibility,expected", [
    ("public", ["admin-public"]), ("private", ["a-private"]),
    ("shared", ["a-shared", "b-accepted"]), ("community", ["a-community", "b-community"]),
    ("all", ["a-community", "a-private", "a-shared", "admin-public", "b-accepted",
             "b-community"])])
def test_visibility_filters(mixed, visibility, expected):
    assert sorted(names(listed(mixed, f"visibility={visibility}"))) == expected


def test_hidden_images_only_when_asked(api):
    create(api, OWNER, name="seen")
    create(api, OWNER, name="hidden", os_hidden=True)
    assert names(listed(api)) == ["seen"]
    assert names(listed(api, "os_hidden=true")) == ["hidden"]


def test_filters(api):
    create(api, OWNER, name="a", tags=["x", "y"], hw="1", disk_format="raw")
    create(api, OWNER, name="b", tags=["x"], hw="2", protected=True)
    assert names(listed(api, "tag=x&tag=y")) == ["a"]
    assert names(listed(api, "hw=2")) == ["b"]
    assert names(listed(api, "protected=true")) == ["b"]
    assert names(listed(api, "disk_format=raw&name=a")) == ["a"]
    assert names(listed(api, "owner=tenant-b")) == []


def test_pages_follow_next_to_the_end(api):
    made = [create(api, OWNER, name=f"n{n}", group="g")["id"] for n in range(5)]
    seen, url = [], "/v2/images?group=g&limit=2&sort=name:asc"
    while url:
        page = api.get(url, headers=OWNER).json
        assert page["first"] == "/v2/images?group=g&limit=2&sort=name%3Aasc"
        assert page["schema"] == "/v2/schemas/images"
        seen += [image["id"] for image in page["images"]]
        url = page.get("next")
        if url:
            assert dict(parse_qsl(urlsplit(url).query))["marker"] == seen[-1]
    assert seen == made


def test_next_only_when_more_images_remain(api):
    for n in range(2):
        create(api, OWNER, name=str(n))
    assert "next" not in listed(api, "limit=2")
    assert "next" in listed(api, "limit=1")
    assert listed(api, "limit=0") == {"images": [], "first": "/v2/images?limit=0",
                                      "schema": "/v2/schemas/images"}
    assert listed(api) == {**listed(api), "first": "/v2/images"}


class PagedRegistry:
    """A registry of `count` images that caps pages at 1000, as ours does."""

    def __init__(self, count):
        self.ids = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(count)]
        self.asked = []

    def list_images(self, ctx, query, detailed=True):
        self.asked.append((query.limit, query.marker, detailed))
        start = self.ids.index(query.marker) + 1 if query.marker else 0
        return [{"id": image_id} for image_id in self.ids[start:start + query.limit]]


@pytest.mark.parametrize("count,limit,more,asked", [
    (3, 2, True, [(3, None, True)]),
    (2, 2, False, [(3, None, True)]),
    (1000, 1000, False, [(1000, None, True), (1, "00000999-0000-4000-8000-000000000000",
                                              False)]),
    (1001, 1000, True, [(1000, None, True), (1, "00000999-0000-4000-8000-000000000000",
                                             False)]),
    (999, 1000, False, [(1000, None, True)]),
    (5, 0, False, [(0, None, True)]),
])
def test_next_is_known_without_a_page_over_the_registrys_cap(count, limit, more, asked):
    registry = PagedRegistry(count)
    routes = images.Images(Services(None, registry, None, None, None))
    page, found_more = routes._page(None, ImageQuery(limit=limit))
    assert (len(page), found_more) == (min(count, limit), more)
    assert registry.asked == asked


@pytest.mark.parametrize("marker", ["nope", "00000000-0000-4000-8000-000000000000"])
def test_a_marker_that_names_no_visible_image_is_400(api, marker):
    assert error(api.get(f"/v2/images?marker={marker}", headers=OWNER, status=400))[0] == 400


def test_an_invisible_marker_is_400_as_a_missing_one(api):
    hidden = create(api, OTHER, visibility="private")
    api.get(f"/v2/images?marker={hidden['id']}", headers=OWNER, status=400)
    api.get(f"/v2/images?marker={hidden['id']}", headers=OTHER, status=200)


@pytest.mark.parametrize("query", ["limit=-1", "limit=x", "sort_key=owner", "sort_dir=up",
                                   "sort=name&sort_key=id", "visibility=x", "member_status=x",
                                   "os_hidden=x", "created_at=after:2020", "size_min=x",
                                   "tag=a/b", "x:y=1", "name=%FF"])
def test_bad_parameters_are_400(api, query):
    assert error(api.get(f"/v2/images?{query}", headers=OWNER, status=400))[0] == 400


def test_sorting(api):
    for name in ("b", "c", "a"):
        create(api, OWNER, name=name)
    assert names(listed(api, "sort_key=name&sort_dir=asc")) == ["a", "b", "c"]
    assert names(listed(api, "sort=name:desc")) == ["c", "b", "a"]
    assert names(listed(api)) == ["a", "c", "b"]        # newest first


def test_a_patched_image_lists_as_it_is_now(api):
    image = create(api, OWNER, name="old")
    patch(api, image["id"], [{"op": "replace", "path": "/name", "value": "new"}])
    assert names(listed(api, "name=new")) == ["new"]
