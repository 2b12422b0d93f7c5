"""Delete: DELETE /images/<id>, soft deletion, and what a deleted image looks like (§1, §2)."""

import pytest

from conformance import expect

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes


@clause("API-DEL-1", "API-DEL-2")
@pytest.mark.parametrize("prefix", ["", "/v1"])
def test_delete_hides_everywhere(api, v, suite, prefix):
    """DELETE answers 200 with an empty body; the image is then invisible to every route."""
    image, _ = suite.create(v, "del", body=b"doomed data", public=True)
    iid = image["id"]
    res = api.delete(f"{prefix}/images/{iid}")
    expect.require_status(v, "API-DEL-1", res, 200, f"DELETE {prefix}/images/{iid}")
    suite.ledger.deleted(iid)
    v.check("API-DEL-1", res.body == b"", f"DELETE answered a body: {res.body[:80]!r}")
    for method in ("HEAD", "GET"):
        expect.error(v, "API-DEL-2", api.request(method, f"/images/{iid}"), 404,
                     f"{method} /images/{iid} after DELETE")
    expect.error(v, "API-DEL-2", api.put(f"/images/{iid}", headers=[
        ("x-image-meta-name", "resurrected")]), 404, f"PUT /images/{iid} after DELETE")
    for path in ("/images", "/images/detail"):
        for extra in [suite.scope()] + ([{"is_public": "none"}] if suite.is_admin else []):
            listed = api.get(path, query={**suite.run_filter(), **extra, "limit": "1000"})
            expect.require_status(v, "API-LIST-1", listed, 200, f"GET {path}")
            got = [i.get("id") for i in expect.images_of(v, "API-LIST-1", listed, path)]
            v.check("API-DEL-2", iid not in got, f"GET {path} {extra} lists deleted image {iid}")


@clause("API-DEL-3")
def test_second_delete_is_404(api, v, suite):
    """A second DELETE answers 404."""
    image, _ = suite.create(v, "del2")
    expect.require_status(v, "API-DEL-1", api.delete(f"/images/{image['id']}"), 200,
                          f"DELETE /images/{image['id']}")
    suite.ledger.deleted(image["id"])
    expect.error(v, "API-DEL-3", api.delete(f"/images/{image['id']}"), 404,
                 f"second DELETE /images/{image['id']}")


@clause("API-DEL-3", "ERR-1")
def test_delete_unknown_is_404(api, v):
    """DELETE of an id that names no image answers 404."""
    expect.error(v, "API-DEL-3", api.delete("/images/9223372036854775000"), 404,
                 "DELETE /images/9223372036854775000")


@clause("API-DEL-1")
@pytest.mark.parametrize("kind", ["queued", "killed"])
def test_delete_without_data(api, v, suite, kind):
    """Images without data (queued, killed) can be deleted too."""
    if kind == "queued":
        image, _ = suite.create(v, "delq")
        iid = image["id"]
    else:
        name = suite.name("delk")
        res = api.post("/images", headers=[("x-image-meta-name", name), suite.run_header,
                                           ("x-image-meta-size", "3")],
                       body=b"four", content_type=expect.OCTETS)
        expect.error(v, "API-POST-6", res, 400, "POST with a size mismatch")
        found = suite.find(api, name=name)
        for image in found:
            suite.ledger.add(image.get("id"))
        v.require("API-POST-6", len(found) == 1, f"expected one killed record, found {found}")
        iid = found[0]["id"]
    expect.require_status(v, "API-DEL-1", api.delete(f"/images/{iid}"), 200,
                          f"DELETE /images/{iid} ({kind})")
    suite.ledger.deleted(iid)
    expect.error(v, "API-DEL-2", api.head(f"/images/{iid}"), 404,
                 f"HEAD /images/{iid} after DELETE")
