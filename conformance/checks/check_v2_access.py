"""Images API v2 auth and access: tokens, invisible images, public images, what non-admins
may not do (§1 visibility, §4, §6).

Runs with --auth-token; the cross-tenant checks need --alt-auth-token (a
second tenant's non-admin token), and some an admin caller.
"""

import pytest

from conformance import expect, expect_v2

clause = pytest.mark.clause
writes = pytest.mark.writes


@pytest.fixture
def token(suite):
    suite.capabilities.need("auth")
    return suite.auth_token


@pytest.fixture
def alt(suite, token):
    suite.capabilities.need("second-tenant")
    return suite.alt


@clause("AUTH-1", "V2-VER-8")
@pytest.mark.parametrize("headers", [[], [("X-Auth-Token", "conformance-no-such-token")]],
                         ids=["missing", "unknown"])
def test_v2_needs_a_token(api, v, token, headers):
    """GET /v2/images without a token, or with an unknown one, answers 401."""
    res = api.get("/v2/images", auth=False, headers=headers)
    v.check("AUTH-1", res.status_int == 401,
            f"GET /v2/images with {headers or 'no token'} answered {res.status}, not 401")
    v.check("V2-VER-8", expect.header(res, "x-openstack-request-id") is not None,
            "the 401 carries no x-openstack-request-id")


@writes
@clause("AUTH-2")
def test_v2_owner_is_the_tokens_tenant(api, v, v2, token):
    """An image made with a token is owned by a tenant."""
    img, _ = v2.create(v, "v2-owned")
    v.check("AUTH-2", isinstance(img.get("owner"), str) and img["owner"] != "",
            f"an image made with a token has owner {img.get('owner')!r}")


@writes
@clause("V2-ACC-1", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("visibility", ["private", "shared"])
def test_invisible_images_do_not_exist(api, v, v2, suite, alt, visibility):
    """Another tenant's private image, or a shared one without membership, is 404 everywhere."""
    mark = {suite.run_property: suite.tag("v2-invisible")}
    img = v2.active(v, f"invisible-{visibility}", b"secret", {**mark,
                                                                "visibility": visibility})
    refused = [("GET", alt.get(v2.path(img["id"]))),
               ("PATCH", v2.patch(img["id"], [{"op": "replace", "path": "/name",
                                               "value": "x"}], client=alt)),
               ("DELETE", alt.delete(v2.path(img["id"]))),
               ("GET …/file", alt.get(v2.path(img["id"], "/file"))),
               ("PUT a tag", alt.put(v2.path(img["id"], "/tags/x"))),
               ("GET members", alt.get(v2.path(img["id"], "/members")))]
    for what, res in refused:
        expect.error(v, "V2-ACC-1", res, 404, f"another tenant's {what} of a {visibility} image")
    res = alt.get("/v2/images", query={**mark, "visibility": "all", "member_status": "all"})
    got = [i.get("id") for i in expect_v2.listing(v, res, "another tenant's list",
                                                  v2)["images"]]
    v.check("V2-ACC-1", img["id"] not in got, "another tenant's list shows the image")
    v.check("V2-ACC-1", (v2.read(img["id"]) or {}).get("name") == img["name"],
            "the owner's image changed after the refused requests")


@writes
@clause("V2-ACC-2", "ERR-1", "ERR-2", "ERR-3")
def test_public_image_is_read_only_to_others(api, v, v2, suite, alt):
    """Another tenant reads a public image and its data; its changes answer 403."""
    img = v2.public(v, "public-read")
    if img is None:
        pytest.skip("this caller may not publish images (403): no public image to share")
    expect.require_status(v, "V2-ACC-2", v2.upload(img["id"], b"public data"), 204,
                          "PUT …/file")
    res = alt.get(v2.path(img["id"]))
    v.check("V2-ACC-2", res.status_int == 200, f"another tenant's GET answered {res.status}")
    res = alt.get(v2.path(img["id"], "/file"))
    v.check("V2-ACC-2", res.status_int == 200 and res.body == b"public data",
            f"another tenant's GET …/file answered {res.status}")
    queued = v2.public(v, "public-queued")
    refused = [("PATCH", v2.patch(img["id"], [{"op": "replace", "path": "/name",
                                               "value": "x"}], client=alt)),
               ("DELETE", alt.delete(v2.path(img["id"]))),
               ("PUT a tag", alt.put(v2.path(img["id"], "/tags/x"))),
               ("DELETE a tag", alt.delete(v2.path(img["id"], "/tags/x"))),
               ("PUT …/file", v2.upload(queued["id"], b"x", client=alt)),
               ("PUT …/stage", v2.upload(queued["id"], b"x", client=alt, tail="/stage"))]
    for what, res in refused:
        expect.error(v, "V2-ACC-2", res, 403, f"another tenant's {what} of a public image")
    after = v2.read(queued["id"]) or {}
    v.check("V2-ACC-2", after.get("status") == "queued",
            f"the public image is {after.get('status')!r} after refused uploads")


@writes
@clause("V2-POST-9", "ERR-1", "ERR-2", "ERR-3")
def test_non_admin_may_not_publish_or_give_away(api, v, v2, suite, alt):
    """A non-admin's visibility public or another owner answers 403 (create and PATCH)."""
    for extra in ({"visibility": "public"}, {"owner": f"{suite.prefix}-someone"}):
        body = v2.body("refused", extra)
        res = alt.post("/v2/images", json_body=body)
        if res.status_int == 201:
            v2.remember(res.json.get("id"), alt)
        expect.error(v, "V2-POST-9", res, 403, f"a non-admin's POST with {extra}")
    img, _ = v2.create(v, "alt-patch", client=alt)
    for path, value in (("/visibility", "public"), ("/owner", f"{suite.prefix}-someone")):
        res = v2.patch(img["id"], [{"op": "replace", "path": path, "value": value}],
                       client=alt)
        expect.error(v, "V2-POST-9", res, 403, f"a non-admin's PATCH {path}")


@writes
@clause("V2-ACC-3")
def test_admin_sees_every_image(api, v, v2, suite, alt):
    """An admin reads another tenant's private image."""
    if suite.is_admin is not True:
        suite.capabilities.need("admin")
    img, _ = v2.create(v, "alt-private", {"visibility": "private"}, client=alt)
    res = api.get(v2.path(img["id"]))
    v.check("V2-ACC-3", res.status_int == 200,
            f"an admin's GET of another tenant's private image answered {res.status}")
