"""Images API v2: create, show and delete (§4 Create, §4 routes, §10 Validation).

Every image the checks receive is judged as v2 image JSON and validated
against the server's own schema on the way (`conformance.expect_v2`).
"""

import uuid

import pytest

from conformance import expect, expect_v2

clause = pytest.mark.clause
writes = pytest.mark.writes
READ_ONLY = ("status", "checksum", "size", "virtual_size", "created_at", "updated_at",
             "self", "file", "schema")
HASHES = ("os_hash_algo", "os_hash_value")
RESERVED = ("location", "deleted", "deleted_at", "os_glance_conformance")
VALUES = {"status": "active", "checksum": "0" * 32, "size": 1, "virtual_size": 1,
          "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
          "os_hash_algo": "sha256", "os_hash_value": "0" * 64, "self": "/v2/images/x",
          "file": "/v2/images/x/file", "schema": "/v2/schemas/image",
          "location": "http://example.com/x", "deleted": "true",
          "deleted_at": "2020-01-01T00:00:00Z",
          "os_glance_conformance": "x"}


def named(v2, api, name):
    """The images of this run with `name` (every visibility), to see nothing was made."""
    res = api.get("/v2/images", query={"name": name, "visibility": "all",
                                       "member_status": "all"})
    try:
        return res.json.get("images", []) if res.status_int == 200 else []
    except (ValueError, AttributeError):
        return []


@writes
@clause("V2-POST-1", "V2-GET-1")
def test_create_defaults(api, v, v2):
    """A minimal create answers 201 with the defaults of a new image."""
    img, _ = v2.create(v, "defaults")
    want = {"status": "queued", "visibility": "shared", "size": None, "virtual_size": None,
            "checksum": None, "os_hash_algo": None, "os_hash_value": None,
            "protected": False, "os_hidden": False, "min_disk": 0, "min_ram": 0, "tags": []}
    wrong = {k: img.get(k) for k, x in want.items() if img.get(k) != x}
    v.check("V2-POST-1", not wrong, f"a new image has {wrong}, expected {want}")
    tenant = v2.tenant(api)
    v.check("V2-POST-1", img.get("owner") == tenant, f"owner is {img.get('owner')!r}, not "
                                                     f"the caller's tenant {tenant!r}")
    res = api.get(v2.path(img["id"]))
    expect.require_status(v, "V2-GET-1", res, 200, "GET the new image")
    shown = expect_v2.image_of(v, "V2-GET-1", res, "GET the new image", v2)
    same = {k: (img.get(k), shown.get(k)) for k in expect_v2.FIELDS
            if img.get(k) != shown.get(k)}
    v.check("V2-GET-1", not same, f"GET differs from the create answer: {same}")


@writes
@clause("V2-POST-2", "V2-POST-3")
def test_create_stores_the_body(api, v, v2):
    """The attributes and custom properties sent are stored (tags as a set)."""
    iid = str(uuid.uuid4())
    sent = {"id": iid, "visibility": "private", "protected": True, "os_hidden": True,
            "container_format": "bare", "disk_format": "qcow2", "min_ram": 512,
            "min_disk": 3, "tags": ["b", "a", "b"], "hw_disk_bus": "virtio", "empty": "",
            "os.dotted.name": "yes"}
    img, res = v2.create(v, "body", sent)
    wrong = {k: img.get(k) for k, x in sent.items() if k != "tags" and img.get(k) != x}
    v.check("V2-POST-2", not wrong, f"stored differently: {wrong}")
    v.check("V2-POST-2", sorted(img.get("tags") or []) == ["a", "b"],
            f"tags are {img.get('tags')!r}, not the set {{a, b}}")
    methods = v2.import_methods()
    got = [m.strip() for m in (expect.header(res, "OpenStack-image-import-methods") or "")
           .split(",") if m.strip()]
    v.check("V2-POST-3", got and sorted(got) == sorted(methods),
            f"OpenStack-image-import-methods is "
            f"{expect.header(res, 'OpenStack-image-import-methods')!r}; /v2/info/import "
            f"lists {methods}")


@writes
@clause("V2-POST-4", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("key", READ_ONLY + RESERVED)
def test_create_refuses_read_only_and_reserved(api, v, v2, key):
    """Read-only keys answer 403 "is read-only", reserved ones 403 "is reserved"."""
    body = v2.body("refused", {key: VALUES[key]})
    res = api.post("/v2/images", json_body=body)
    word = "read-only" if key in READ_ONLY else "reserved"
    expect.error(v, "V2-POST-4", res, 403, f"POST with {key!r}",
                 names=f"Attribute '{key}' is {word}")
    made = named(v2, api, body["name"])
    for img in made:
        v2.remember(img.get("id"))
    v.check("V2-POST-4", not made, f"POST with {key!r} was refused but made {len(made)} image")


@writes
@clause("V2-POST-4", "V2-POST-10")
@pytest.mark.parametrize("key", HASHES)
def test_create_refuses_hashes(api, v, v2, key):
    """`os_hash_*` are never stored as sent (MUST); refused with 403 (an extension)."""
    body = v2.body("hash", {key: VALUES[key]})
    res = api.post("/v2/images", json_body=body)
    for img in named(v2, api, body["name"]):
        v2.remember(img.get("id"))
        v.check("V2-POST-4", img.get(key) is None,
                f"POST with {key}={VALUES[key]!r} stored it: {img.get(key)!r}")
    v.check("V2-POST-10", res.status_int == 403 and f"Attribute '{key}' is read-only"
            in expect.error_message(res)[0],
            f"POST with {key!r} answered {res.status}, not 403 \"Attribute '{key}' is "
            "read-only.\"")


@writes
@clause("V2-POST-5", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("key, value", [
    ("disk_format", "bogus"), ("container_format", "bogus"), ("visibility", "bogus"),
    ("min_ram", "512"), ("min_ram", -1), ("min_disk", 2 ** 31), ("protected", "yes"),
    ("os_hidden", 1), ("tags", "one"), ("name", "n" * 256), ("hw_disk_bus", 5)])
def test_create_refuses_bad_values(api, v, v2, key, value):
    """Wrong types, bad enums and out-of-range values answer 400 naming the attribute."""
    body = v2.body("bad", {key: value})
    res = api.post("/v2/images", json_body=body)
    expect.error(v, "V2-POST-5", res, 400, f"POST with {key}={str(value)[:20]!r}", names=key)
    for img in named(v2, api, body["name"]):
        v2.remember(img.get("id"))


@clause("V2-POST-5")
def test_create_refuses_malformed_json(api, v):
    """Malformed JSON answers 400."""
    res = api.post("/v2/images", body=b'{"name": ', content_type="application/json")
    expect.error(v, "V2-POST-5", res, 400, "POST with malformed JSON")


@writes
@clause("V2-POST-8")
@pytest.mark.parametrize("raw", [b'["a", "list"]', b"[" * 100000 + b"]" * 100000],
                         ids=["array", "deep"])
def test_create_refuses_a_body_that_is_not_an_object(api, v, raw):
    """An array, or JSON nested too deep to parse, answers 400, never 500."""
    res = api.post("/v2/images", body=raw, content_type="application/json")
    v.check("V2-POST-8", res.status_int == 400,
            f"POST with a {len(raw)}-byte non-object body answered {res.status}, not 400")


@writes
@clause("V2-POST-6", "V2-POST-7", "V2-DEL-1")
def test_create_with_proposed_ids(api, v, v2):
    """A malformed id is 400; a taken one, even deleted, is 409; upper case is 400."""
    res = api.post("/v2/images", json_body=v2.body("bad-id", {"id": "not-a-uuid"}))
    expect.error(v, "V2-POST-6", res, 400, "POST with id 'not-a-uuid'")
    iid = str(uuid.uuid4())
    v2.create(v, "taken", {"id": iid})
    res = api.post("/v2/images", json_body=v2.body("again", {"id": iid}))
    expect.error(v, "V2-POST-6", res, 409, "POST with a taken id")
    expect.require_status(v, "V2-DEL-1", api.delete(v2.path(iid)), 204, "DELETE")
    v2.gone.add(iid)
    res = api.post("/v2/images", json_body=v2.body("reuse", {"id": iid}))
    expect.error(v, "V2-POST-6", res, 409, "POST with the id of a deleted image")
    upper = str(uuid.uuid4()).upper()
    res = api.post("/v2/images", json_body=v2.body("upper", {"id": upper}))
    if res.status_int == 201:
        v2.remember(upper)
    v.check("V2-POST-7", res.status_int == 400,
            f"POST with the upper-case id {upper} answered {res.status}, not 400")


@writes
@clause("V2-POST-9")
def test_admin_sets_owner(api, v, suite, v2):
    """An admin's owner is stored as sent."""
    if suite.is_admin is not True:
        suite.capabilities.need("admin")
    wanted = f"{suite.prefix}-owner"
    img, _ = v2.create(v, "owner", {"owner": wanted})
    v.check("V2-POST-9", img.get("owner") == wanted,
            f"an admin's owner {wanted!r} was stored as {img.get('owner')!r}")


@clause("V2-GET-2", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("iid", [str(uuid.uuid4()), "not-a-uuid", "x" * 40],
                         ids=["unknown", "malformed", "long"])
def test_show_unknown_or_malformed_is_404(api, v, v2, iid):
    """An unknown or malformed id answers 404, never 400."""
    expect.error(v, "V2-GET-2", api.get(v2.path(iid)), 404, f"GET {v2.path(iid)}")


@writes
@clause("V2-DEL-1", "V2-LIST-2")
def test_delete(api, v, v2):
    """DELETE answers 204; the image is then 404, not listed, and a second DELETE is 404."""
    img, _ = v2.create(v, "delete", {v2.suite.run_property: v2.suite.tag("v2-delete")})
    res = api.delete(v2.path(img["id"]))
    expect.require_status(v, "V2-DEL-1", res, 204, "DELETE")
    v2.gone.add(img["id"])
    v.check("V2-DEL-1", res.body == b"", f"DELETE answered a body {res.body[:80]!r}")
    expect.error(v, "V2-DEL-1", api.get(v2.path(img["id"])), 404, "GET after DELETE")
    res = api.get("/v2/images", query={v2.suite.run_property: v2.suite.tag("v2-delete")})
    listed = [i.get("id") for i in expect_v2.listing(v, res, "list after DELETE", v2)["images"]]
    v.check("V2-DEL-1", img["id"] not in listed, "a deleted image is still listed")
    expect.error(v, "V2-DEL-1", api.delete(v2.path(img["id"])), 404, "a second DELETE")


@writes
@clause("V2-DEL-2", "ERR-1", "ERR-2", "ERR-3")
def test_protected_image_is_not_deleted(api, v, v2):
    """DELETE of a protected image answers 403 and keeps it."""
    img, _ = v2.create(v, "protected", {"protected": True})
    res = api.delete(v2.path(img["id"]))
    expect.error(v, "V2-DEL-2", res, 403, "DELETE of a protected image",
                 names="is protected and cannot be deleted", types=("image.protected",
                                                                    "auth.forbidden"))
    v.check("V2-DEL-2", api.get(v2.path(img["id"])).status_int == 200,
            "the protected image is gone after a refused DELETE")
    res = v2.patch(img["id"], [{"op": "replace", "path": "/protected", "value": False}])
    expect.require_status(v, "V2-PATCH-1", res, 200, "PATCH protected false")
    expect.require_status(v, "V2-DEL-1", api.delete(v2.path(img["id"])), 204,
                          "DELETE once unprotected")
    v2.gone.add(img["id"])
