"""Image members in v1: the member routes and what membership grants (§1, §2 Members v1).

The routes are checked with any caller; what a member may see and do needs a
second tenant (--auth-token and --alt-auth-token), else those checks skip.
Members are not refused on public images in v1 (real Glance v1 added them,
and its own tests rely on it): these checks use non-public images.
"""

import json
import uuid

import pytest

from conformance import expect
from conformance.context import V1

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes
NO_SHARE = "No permission to share that image"


def members_of(api, v, image_id, cid="MEM-1"):
    res = api.get(f"{V1}/images/{image_id}/members")
    expect.require_status(v, cid, res, 200, f"GET {V1}/images/{image_id}/members")
    members = expect.json_doc(v, cid, res, "GET …/members", key="members")
    v.require(cid, isinstance(members, list) and all(isinstance(m, dict) for m in members),
              f"`members` is not a list of objects: {members!r}")
    return {m.get("member_id"): m.get("can_share") for m in members}


def put_member(api, image_id, member, can_share=None):
    body = None if can_share is None else json.dumps(
        {"member": {"can_share": can_share}}).encode()
    return api.put(f"{V1}/images/{image_id}/members/{member}", body=body,
                   content_type="application/json" if body else None)


def tenant(suite, label):
    return f"{suite.prefix}-{label}"


@clause("MEM-1")
def test_add_and_list(api, v, suite):
    """PUT …/members/<T> adds T (can_share false unless the body says true); GET lists it."""
    image, _ = suite.create(v, "shared")
    t1, t2 = tenant(suite, "t1"), tenant(suite, "t2")
    expect.status(v, "MEM-1", put_member(api, image["id"], t1), 204, "PUT …/members/<t1>")
    expect.status(v, "MEM-1", put_member(api, image["id"], t2, True), 204,
                  "PUT …/members/<t2> with can_share true")
    got = members_of(api, v, image["id"])
    v.check("MEM-1", got == {t1: False, t2: True},
            f"members should be {{{t1!r}: False, {t2!r}: True}}, got {got}")


@clause("MEM-2")
def test_replace_the_set(api, v, suite):
    """PUT …/members replaces the set; an omitted can_share keeps the old value."""
    image, _ = suite.create(v, "shared")
    t1, t2, t3 = (tenant(suite, n) for n in ("t1", "t2", "t3"))
    put_member(api, image["id"], t1)
    put_member(api, image["id"], t2, True)
    body = {"memberships": [{"member_id": t2}, {"member_id": t3}]}
    res = api.put(f"{V1}/images/{image['id']}/members", json_body=body)
    expect.status(v, "MEM-2", res, 204, "PUT …/members (replace)")
    got = members_of(api, v, image["id"], "MEM-2")
    v.check("MEM-2", got == {t2: True, t3: False},
            f"after the replace the members should be {{{t2!r}: True, {t3!r}: False}}, "
            f"got {got}")


@clause("MEM-3")
def test_remove_member(api, v, suite):
    """DELETE …/members/<T> answers 204, then 404 once T is no member."""
    image, _ = suite.create(v, "shared")
    t1 = tenant(suite, "t1")
    put_member(api, image["id"], t1)
    path = f"{V1}/images/{image['id']}/members/{t1}"
    expect.status(v, "MEM-3", api.delete(path), 204, f"DELETE {path}")
    v.check("MEM-3", t1 not in members_of(api, v, image["id"], "MEM-3"),
            f"{t1} is still a member after DELETE")
    expect.error(v, "MEM-3", api.delete(path), 404, f"second DELETE {path}")


@clause("MEM-4")
def test_get_one_member_is_405(api, v, suite):
    """GET …/members/<T> is not a route: 405."""
    image, _ = suite.create(v, "shared")
    t1 = tenant(suite, "t1")
    put_member(api, image["id"], t1)
    expect.status(v, "MEM-4", api.get(f"{V1}/images/{image['id']}/members/{t1}"), 405,
                  "GET …/members/<T>")


@clause("MEM-5")
def test_shared_images(api, v, suite):
    """GET /v1/shared-images/<T> lists the images shared with T and their can_share."""
    first, _ = suite.create(v, "shared")
    second, _ = suite.create(v, "shared")
    t9 = tenant(suite, "t9")
    put_member(api, first["id"], t9)
    put_member(api, second["id"], t9, True)
    res = api.get(f"{V1}/shared-images/{t9}")
    expect.require_status(v, "MEM-5", res, 200, f"GET {V1}/shared-images/<T>")
    shared = expect.json_doc(v, "MEM-5", res, "GET /v1/shared-images/<T>", key="shared_images")
    got = {s.get("image_id"): s.get("can_share") for s in shared if isinstance(s, dict)}
    v.check("MEM-5", got == {first["id"]: False, second["id"]: True},
            f"shared images of {t9} should be {{{first['id']!r}: False, "
            f"{second['id']!r}: True}}, got {got}")


@clause("MEM-6")
@pytest.mark.parametrize("method,suffix", [("GET", "/members"), ("PUT", "/members/t1"),
                                           ("DELETE", "/members/t1")])
def test_unknown_image(api, v, method, suffix):
    """The member routes of an unknown image answer 404."""
    path = f"{V1}/images/{uuid.uuid4()}{suffix}"
    expect.error(v, "MEM-6", api.request(method, path), 404, f"{method} {path}")


@clause("MEM-7")
def test_put_without_body_keeps_member(api, v, suite):
    """PUT …/members/<T> without a body leaves an existing member unchanged."""
    image, _ = suite.create(v, "shared")
    t1 = tenant(suite, "t1")
    put_member(api, image["id"], t1, True)
    expect.status(v, "MEM-7", put_member(api, image["id"], t1), 204,
                  "PUT …/members/<T> without a body")
    got = members_of(api, v, image["id"], "MEM-7")
    v.check("MEM-7", got.get(t1) is True, f"can_share of {t1} changed to {got.get(t1)!r}")


# -- with a second tenant ------------------------------------------------------------
@pytest.fixture(scope="module")
def alt_tenant(suite):
    """The second tenant's id, read from the owner of an image it makes."""
    suite.capabilities.need("auth")
    suite.capabilities.need("second-tenant")
    res = suite.alt.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("alt")),
                                                  suite.run_header])
    if res.status_int != 201:
        pytest.skip(f"the second tenant cannot create an image ({res.status})")
    image = res.json["image"]
    suite.alt.delete(f"{V1}/images/{image['id']}")
    if not image.get("owner"):
        pytest.skip("the second tenant's images have no owner: no tenant to share with")
    return image["owner"]


@clause("MEM-8", "ACC-1")
def test_membership_grants_sight_not_control(api, v, suite, alt_tenant):
    """A member sees a shared image but may not change it; removal makes it 404 again."""
    data = b"shared bytes"
    image, _ = suite.create(v, "member", body=data)
    path = f"{V1}/images/{image['id']}"
    expect.error(v, "ACC-1", suite.alt.head(path), 404, "HEAD by a non-member")
    expect.status(v, "MEM-8", put_member(api, image["id"], alt_tenant), 204, "add the member")
    expect.status(v, "MEM-8", suite.alt.head(path), 200, "HEAD by the member")
    got = suite.alt.get(path)
    v.check("MEM-8", got.status_int == 200 and got.body == data,
            f"GET by the member answered {got.status}")
    listed = suite.alt.get(V1 + "/images", query={**suite.run_filter(), "limit": "1000"})
    ids = [i.get("id") for i in expect.images_of(v, "MEM-8", listed, "the member's list")]
    v.check("MEM-8", image["id"] in ids, f"the member's default list lacks {image['id']}")
    expect.error(v, "MEM-8", suite.alt.put(path, headers=[("x-image-meta-name", "taken")]),
                 403, "PUT by the member")
    expect.error(v, "MEM-8", suite.alt.delete(path), 403, "DELETE by the member")
    api.delete(f"{path}/members/{alt_tenant}")
    expect.error(v, "MEM-8", suite.alt.head(path), 404, "HEAD after the membership ended")


@clause("MEM-9")
def test_member_without_can_share(api, v, suite, alt_tenant):
    """A member without can_share may not add members: 403 "No permission to share…"."""
    image, _ = suite.create(v, "noshare")
    put_member(api, image["id"], alt_tenant)
    res = put_member(suite.alt, image["id"], tenant(suite, "t5"))
    expect.error(v, "MEM-9", res, 403, "PUT …/members/<T> by a member without can_share",
                 names=NO_SHARE)
