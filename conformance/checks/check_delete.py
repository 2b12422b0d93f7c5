"""Delete: DELETE /v1/images/<id>, soft deletion, protected images (§1, §2)."""

import uuid

import pytest

from conformance import expect
from conformance.context import FORMATS, V1

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes


@clause("API-DEL-1", "API-DEL-2", "API-DEL-5", "API-PUT-2")
def test_delete_hides_everywhere(api, v, suite):
    """DELETE answers 200 with an empty body; the image then leaves lists and routes."""
    image, _ = suite.create(v, "del", body=b"doomed data", public=True)
    iid = image["id"]
    res = api.delete(f"{V1}/images/{iid}")
    expect.require_status(v, "API-DEL-1", res, 200, f"DELETE {V1}/images/{iid}")
    suite.ledger.deleted(iid)
    v.check("API-DEL-1", res.body == b"", f"DELETE answered a body: {res.body[:80]!r}")
    expect.error(v, "API-DEL-2", api.get(f"{V1}/images/{iid}"), 404,
                 f"GET {V1}/images/{iid} after DELETE")
    head = api.head(f"{V1}/images/{iid}")
    v.check("API-DEL-5", head.status_int == 404,
            f"HEAD {V1}/images/{iid} after DELETE answered {head.status}, not 404")
    renamed = api.put(f"{V1}/images/{iid}", headers=[("x-image-meta-name", "resurrected")])
    expect.status(v, "API-PUT-2", renamed, (403, 404), f"PUT {V1}/images/{iid} after DELETE")
    v.check("API-DEL-5", renamed.status_int == 404,
            f"PUT {V1}/images/{iid} after DELETE answered {renamed.status}, not 404")
    for path in (V1 + "/images", V1 + "/images/detail"):
        for extra in [suite.scope(), {"is_public": "none"}]:
            listed = api.get(path, query={**suite.run_filter(), **extra, "limit": "1000"})
            expect.require_status(v, "API-LIST-1", listed, 200, f"GET {path}")
            got = [i.get("id") for i in expect.images_of(v, "API-LIST-1", listed, path)]
            v.check("API-DEL-2", iid not in got, f"GET {path} {extra} lists deleted image {iid}")


@clause("API-DEL-3")
def test_second_delete_is_404(api, v, suite):
    """A second DELETE answers 404."""
    image, _ = suite.create(v, "del2")
    expect.require_status(v, "API-DEL-1", api.delete(f"{V1}/images/{image['id']}"), 200,
                          f"DELETE {V1}/images/{image['id']}")
    suite.ledger.deleted(image["id"])
    expect.error(v, "API-DEL-3", api.delete(f"{V1}/images/{image['id']}"), 404,
                 f"second DELETE {V1}/images/{image['id']}")


@clause("API-DEL-3", "ERR-1")
def test_delete_unknown_is_404(api, v):
    """DELETE of an id that names no image answers 404."""
    expect.error(v, "API-DEL-3", api.delete(f"{V1}/images/{uuid.uuid4()}"), 404,
                 f"DELETE {V1}/images/<unknown>")


@clause("API-DEL-1")
@pytest.mark.parametrize("kind", ["queued", "killed"])
def test_delete_without_data(api, v, suite, kind):
    """Images without data (queued, killed) can be deleted too."""
    if kind == "queued":
        image, _ = suite.create(v, "delq")
    else:
        image = suite.killed_image(v, "delk")
    iid = image["id"]
    expect.require_status(v, "API-DEL-1", api.delete(f"{V1}/images/{iid}"), 200,
                          f"DELETE {V1}/images/{iid} ({kind})")
    suite.ledger.deleted(iid)
    listed = suite.find(api, name=image.get("name"))
    v.check("API-DEL-1", not listed, f"the deleted {kind} image is still listed: {listed}")


@clause("API-DEL-4", "ERR-3")
def test_protected_is_kept(api, v, suite):
    """DELETE of a protected image answers 403 "Image is protected"; image and data stay."""
    data = b"precious"
    image, _ = suite.create(v, "guarded", body=data, headers=[("x-image-meta-protected", "True")],
                            clause="API-DEL-4")
    res = api.delete(f"{V1}/images/{image['id']}")
    expect.error(v, "API-DEL-4", res, 403, f"DELETE of protected image {image['id']}",
                 names="Image is protected", types=("image.protected",))
    got = api.get(f"{V1}/images/{image['id']}")
    v.check("API-DEL-4", got.status_int == 200 and got.body == data,
            f"after the refused DELETE, GET answers {got.status} with {got.body[:40]!r}")
    res = api.put(f"{V1}/images/{image['id']}", headers=[
        ("x-image-meta-protected", "False"), ("x-glance-registry-purge-props", "false")])
    expect.require_status(v, "API-PUT-12", res, 200, "PUT protected False")
    expect.require_status(v, "API-DEL-1", api.delete(f"{V1}/images/{image['id']}"), 200,
                          "DELETE once unprotected")
    suite.ledger.deleted(image["id"])


@clause("API-DEL-1")
def test_delete_under_v1_0(api, v, suite):
    """DELETE works under /v1.0 too."""
    image, _ = suite.create(v, "del10", headers=list(FORMATS))
    expect.require_status(v, "VER-5", api.delete(f"/v1.0/images/{image['id']}"), 200,
                          f"DELETE /v1.0/images/{image['id']}")
    suite.ledger.deleted(image["id"])
