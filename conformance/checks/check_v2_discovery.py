"""Images API v2 discovery: versions, `/v2`, routes, request ids, info, schemas (§2, §4, §6).

Run only where the versions document lists v2.  The schemas are judged
here for their shape; every image and member the other v2 checks receive is
validated against them (V2-SCH-6, V2-SCH-7).
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest

from conformance import expect, expect_v2
from conformance.capabilities import version_ids

clause = pytest.mark.clause
writes = pytest.mark.writes
REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                        r"[0-9a-f]{12}\Z")
STATUSES = {"queued", "saving", "active", "killed", "deleted", "uploading", "importing",
            "pending_delete", "deactivated"}
DISK = {None, "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
        "ploop"}
CONTAINER = {None, "ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"}
READ_ONLY = ("status", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
             "created_at", "updated_at", "self", "file", "schema")
MEDIA_V2 = "application/vnd.openstack.images-v2+json"


def document(api):
    """The versions document's entries (GET /versions), or []."""
    res = api.get("/versions")
    try:
        return res.json["versions"] if res.status_int == 200 else []
    except (ValueError, KeyError, TypeError):
        return []


def self_link(entry):
    links = entry.get("links") if isinstance(entry, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "self":
            return link.get("href")
    return None


def is_v2_list(res):
    try:
        return res.status_int == 200 and isinstance(res.json.get("images"), list) \
            and "first" in res.json
    except (ValueError, AttributeError):
        return False


@clause("V2-VER-1")
def test_versions_document_lists_v2(api, v, suite):
    """The versions document lists a CURRENT v2.N entry linking to <base>/v2/."""
    entries = document(api)
    current = [e for e in entries if isinstance(e, dict) and e.get("status") == "CURRENT"]
    v.check("V2-VER-1", len(current) == 1,
            f"GET /versions: {len(current)} entries are CURRENT, not exactly one")
    v2 = [e for e in current if str(e.get("id", "")).startswith("v2.")]
    v.require("V2-VER-1", bool(v2), f"GET /versions: no CURRENT v2.N entry in "
                                    f"{[(e.get('id'), e.get('status')) for e in entries]}")
    base = urlsplit(suite.api_base)
    href = urlsplit(self_link(v2[0]) or "")
    v.check("V2-VER-1", href.path == f"{base.path.rstrip('/')}/v2/" and href.scheme ==
            base.scheme, f"GET /versions: {v2[0].get('id')}'s self link is "
                         f"{self_link(v2[0])!r}, not <base>/v2/")


@clause("V2-VER-2", "V2-LIST-1")
def test_every_listed_v2_version_is_a_path(api, v):
    """/v2.N/images serves the v2 list for every v2.N the document lists."""
    ids = [i for i in version_ids(api.get("/versions")) or [] if i.startswith("v2")]
    v.require("V2-VER-2", bool(ids), "the versions document lists no v2 version")
    for vid in ids:
        res = api.get(f"/{vid}/images", query={"limit": "1"})
        v.check("V2-VER-2", is_v2_list(res),
                f"GET /{vid}/images answered {res.status}, not the v2 list")


@clause("V2-VER-3", "V2-VER-9")
@pytest.mark.parametrize("accept", [MEDIA_V2, "application/vnd.openstack.images-v2"])
def test_accept_images_v2_on_unversioned_path(api, v, accept):
    """Accept: …images-v2 on an unversioned path is served by v2 (+json: an extension)."""
    res = api.get("/images", headers=[("Accept", accept)], query={"limit": "1"})
    v.check("V2-VER-9" if accept.endswith("+json") else "V2-VER-3", is_v2_list(res),
            f"GET /images with Accept: {accept} answered {res.status}, not the v2 list")


@clause("V2-VER-4")
@pytest.mark.parametrize("path", ["/v2", "/v2/"])
def test_v2_version_document(api, v, suite, path):
    """GET /v2 and /v2/ answer the CURRENT v2 entry of the versions document."""
    res = api.get(path)
    v.require("V2-VER-4", res.status_int == 200,
              f"GET {path} answered {res.status}, not 200 with the version document")
    doc = expect.json_doc(v, "V2-VER-4", res, f"GET {path}", key="version")
    current = [e for e in document(api) if isinstance(e, dict)
               and e.get("status") == "CURRENT"]
    v.check("V2-VER-4", isinstance(doc, dict) and current and doc.get("id") ==
            current[0].get("id") and doc.get("status") == "CURRENT",
            f"GET {path}: {doc!r} is not the CURRENT entry {current[:1]!r}")
    href = urlsplit(self_link(doc) or "")
    v.check("V2-VER-4", href.path.endswith("/v2/"),
            f"GET {path}: the self link is {self_link(doc)!r}, not <base>/v2/")


@clause("V2-VER-5", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/v2/images", {"GET", "POST"}),
    ("PUT", "/v2/images", {"GET", "POST"}),
    ("POST", f"/v2/images/{uuid.uuid4()}", {"GET", "PATCH", "DELETE"}),
])
def test_other_method_is_405(api, v, method, path, allowed):
    """A known path with another method answers 405 with Allow."""
    res = api.request(method, path)
    expect.error(v, "V2-VER-5", res, 405, f"{method} {path}")
    got = {m.strip().upper() for m in (expect.header(res, "Allow") or "").split(",")
           if m.strip()}
    v.check("V2-VER-5", allowed <= got, f"{method} {path}: Allow is "
                                        f"{expect.header(res, 'Allow')!r}, not {allowed}")


@clause("V2-VER-5")
def test_unknown_path_is_404(api, v):
    """An unknown path under /v2 answers 404."""
    expect.error(v, "V2-VER-5", api.get("/v2/no-such-collection"), 404,
                 "GET /v2/no-such-collection")


@clause("V2-VER-6")
@pytest.mark.parametrize("path", ["/v2/tenants", "/v2/tenants/some-project"])
def test_tenants_is_403(api, v, path):
    """/v2/tenants answers 403 (openstack then uses project ids verbatim)."""
    res = api.get(path)
    v.check("V2-VER-6", res.status_int == 403, f"GET {path} answered {res.status}, not 403")


@writes
@clause("V2-VER-7")
def test_request_id_on_every_kind_of_answer(api, v, v2):
    """200, 201, 204, 400, 404, 405 and 415 answers carry a fresh req-<uuid4> each."""
    img, res = v2.create(v, "reqid")
    answers = [("POST /v2/images", res)]
    path = v2.path(img["id"])
    for what, r in [("GET image", api.get(path)), ("GET list", api.get("/v2/images",
                                                                        query={"limit": "1"})),
                    ("GET schema", api.get("/v2/schemas/image")),
                    ("GET no data", api.get(path + "/file")),
                    ("bad limit", api.get("/v2/images", query={"limit": "-1"})),
                    ("unknown id", api.get(v2.path(uuid.uuid4()))),
                    ("405", api.delete("/v2/images")),
                    ("415", v2.patch(img["id"], [], content_type="application/json")),
                    ("DELETE", api.delete(path))]:
        answers.append((f"{what} ({r.status})", r))
    v2.gone.add(img["id"])
    seen = []
    for what, r in answers:
        value = expect.header(r, "x-openstack-request-id")
        v.check("V2-VER-7", value is not None and bool(REQUEST_ID.match(value)),
                f"{what}: x-openstack-request-id is {value!r}, not req-<uuid4>")
        seen.append(value)
    seen = [s for s in seen if s]
    v.check("V2-VER-7", len(seen) == len(set(seen)), f"request ids repeat: {seen}")


@clause("V2-INFO-1", "JSON-1", "JSON-2")
def test_info_import(api, v, v2):
    """/v2/info/import lists the import methods."""
    res = api.get("/v2/info/import")
    expect.require_status(v, "V2-INFO-1", res, 200, "GET /v2/info/import")
    doc = expect.json_doc(v, "V2-INFO-1", res, "GET /v2/info/import", key="import-methods")
    v.check("V2-INFO-1", isinstance(doc, dict) and doc.get("type") == "array"
            and isinstance(doc.get("description"), str) and isinstance(doc.get("value"), list)
            and all(isinstance(m, str) for m in doc["value"]),
            f"GET /v2/info/import: {doc!r} is not {{description, type: array, value: [str]}}")
    v2.import_methods()


@clause("V2-INFO-2", "V2-INFO-3")
def test_info_stores(api, v):
    """/v2/info/stores lists the stores, exactly one the default."""
    res = api.get("/v2/info/stores")
    expect.require_status(v, "V2-INFO-2", res, 200, "GET /v2/info/stores")
    stores = expect.json_doc(v, "V2-INFO-2", res, "GET /v2/info/stores", key="stores")
    v.require("V2-INFO-2", isinstance(stores, list) and stores and all(
        isinstance(s, dict) and isinstance(s.get("id"), str) for s in stores),
        f"GET /v2/info/stores: {stores!r} is not a list of stores with ids")
    defaults = [s["id"] for s in stores if s.get("default") == "true"]
    v.check("V2-INFO-2", len(defaults) == 1, f"GET /v2/info/stores: the defaults are "
                                             f"{defaults}, not exactly one")
    v.check("V2-INFO-2", all(s.get("read-only", "true") == "true" for s in stores),
            f"GET /v2/info/stores: a read-only flag other than \"true\" in {stores!r}")
    v.check("V2-INFO-3", all(isinstance(s.get("description"), str) for s in stores),
            f"GET /v2/info/stores: stores without a description in {stores!r}")


# -- schemas --------------------------------------------------------------------------------
def get_schema(api, v, name):
    res = api.get(f"/v2/schemas/{name}")
    expect.require_status(v, "V2-SCH-1", res, 200, f"GET /v2/schemas/{name}")
    doc = expect.json_doc(v, "V2-SCH-1", res, f"GET /v2/schemas/{name}")
    v.require("V2-SCH-1", isinstance(doc, dict) and doc.get("name") == name
              and isinstance(doc.get("properties"), dict),
              f"GET /v2/schemas/{name}: not a schema named {name!r} with properties")
    return doc


def types_of(prop):
    t = prop.get("type") if isinstance(prop, dict) else None
    return set(t) if isinstance(t, list) else {t}


def rels(schema):
    links = schema.get("links")
    return {x.get("rel"): x.get("href") for x in links if isinstance(x, dict)} \
        if isinstance(links, list) else {}


@clause("V2-SCH-1", "V2-SCH-2", "V2-SCH-3")
def test_image_schema(api, v):
    """The image schema: Glance 33's base properties, types, enums, readOnly flags, links."""
    schema = get_schema(api, v, "image")
    props = schema["properties"]
    want = {"id": {"string"}, "name": {"null", "string"}, "status": {"string"},
            "visibility": {"string"}, "protected": {"boolean"}, "os_hidden": {"boolean"},
            "checksum": {"null", "string"}, "os_hash_algo": {"null", "string"},
            "os_hash_value": {"null", "string"}, "owner": {"null", "string"},
            "size": {"null", "integer"}, "virtual_size": {"null", "integer"},
            "container_format": {"null", "string"}, "disk_format": {"null", "string"},
            "created_at": {"string"}, "updated_at": {"string"}, "self": {"string"},
            "file": {"string"}, "schema": {"string"}, "tags": {"array"},
            "min_ram": {"integer"}, "min_disk": {"integer"}}
    for name, types in want.items():
        v.check("V2-SCH-2", types_of(props.get(name)) == types,
                f"image schema: {name} has type {props.get(name, {}).get('type')!r}, "
                f"expected {sorted(types)}")
    lengths = {"name": 255, "checksum": 32, "os_hash_algo": 64, "os_hash_value": 128,
               "owner": 255}
    for name, n in lengths.items():
        v.check("V2-SCH-2", (props.get(name) or {}).get("maxLength") == n,
                f"image schema: {name} maxLength is "
                f"{(props.get(name) or {}).get('maxLength')!r}, not {n}")
    enums = {"status": STATUSES, "visibility": {"public", "private", "shared", "community"},
             "disk_format": DISK, "container_format": CONTAINER}
    for name, values in enums.items():
        got = (props.get(name) or {}).get("enum")
        ok = isinstance(got, list) and (values <= set(got) if name == "status"
                                        else set(got) == values)
        v.check("V2-SCH-2", ok, f"image schema: {name} enum is {got!r}, expected "
                                f"{sorted(values, key=str)}")
    pattern = (props.get("id") or {}).get("pattern")
    sample = str(uuid.uuid4())
    v.check("V2-SCH-2", isinstance(pattern, str) and re.search(pattern, sample) is not None,
            f"image schema: the id pattern {pattern!r} does not match a UUID")
    if isinstance(pattern, str):
        v.check("V2-SCH-8", re.search(pattern, "12345") is not None,
                f"image schema: the id pattern {pattern!r} does not match a decimal id")
    items = (props.get("tags") or {}).get("items") or {}
    v.check("V2-SCH-2", types_of(items) == {"string"} and items.get("maxLength") == 255,
            f"image schema: tags items are {items!r}, not strings ≤ 255")
    v.check("V2-SCH-2", schema.get("additionalProperties") == {"type": "string"},
            f"image schema: additionalProperties is {schema.get('additionalProperties')!r}")
    links = rels(schema)
    v.check("V2-SCH-2", links.get("self") == "{self}" and links.get("enclosure") == "{file}"
            and links.get("describedby") == "{schema}",
            f"image schema: links are {schema.get('links')!r}")
    for name in READ_ONLY:
        v.check("V2-SCH-3", (props.get(name) or {}).get("readOnly") is True,
                f"image schema: {name} is not readOnly")


@clause("V2-SCH-1", "V2-SCH-4")
def test_images_schema(api, v):
    """The images schema wraps the image schema and has first/next/schema."""
    image = get_schema(api, v, "image")
    schema = get_schema(api, v, "images")
    props = schema["properties"]
    images = props.get("images") or {}
    v.check("V2-SCH-4", types_of(images) == {"array"} and images.get("items") == image,
            "images schema: `images` is not an array of the image schema")
    for name in ("first", "next", "schema"):
        v.check("V2-SCH-4", types_of(props.get(name)) == {"string"},
                f"images schema: {name} is {props.get(name)!r}, not a string")
    links = rels(schema)
    v.check("V2-SCH-4", links.get("first") == "{first}" and links.get("next") == "{next}"
            and links.get("describedby") == "{schema}",
            f"images schema: links are {schema.get('links')!r}")


@clause("V2-SCH-1", "V2-SCH-5")
def test_member_schemas(api, v):
    """The member and members schemas."""
    member = get_schema(api, v, "member")
    props = member["properties"]
    for name in ("created_at", "updated_at", "image_id", "member_id", "schema"):
        v.check("V2-SCH-5", types_of(props.get(name)) == {"string"},
                f"member schema: {name} is {props.get(name)!r}, not a string")
    v.check("V2-SCH-5", set((props.get("status") or {}).get("enum") or ()) ==
            {"pending", "accepted", "rejected"},
            f"member schema: status is {props.get('status')!r}")
    members = get_schema(api, v, "members")
    mp = members["properties"]
    v.check("V2-SCH-5", types_of(mp.get("members")) == {"array"}
            and (mp.get("members") or {}).get("items") == member,
            "members schema: `members` is not an array of the member schema")
    v.check("V2-SCH-5", types_of(mp.get("schema")) == {"string"},
            f"members schema: schema is {mp.get('schema')!r}")


@writes
@clause("V2-SCH-6", "V2-IMG-1", "V2-IMG-2", "V2-IMG-3", "V2-IMG-4", "V2-IMG-5", "V2-IMG-6")
def test_images_validate_against_the_published_schema(api, v, v2):
    """A new image, an active one with properties and tags, and a list all validate."""
    img, _ = v2.create(v, "schema", {"tags": ["one", "two"], "hw_disk_bus": "virtio",
                                     "min_ram": 64, "min_disk": 1})
    v2.active(v, "schema-active", extra={"os_distro": "cirros"})
    res = api.get(v2.path(img["id"]))
    expect_v2.image_of(v, "V2-GET-1", res, "GET the image", v2)
    expect_v2.listing(v, api.get("/v2/images", query={v2.suite.run_property: v2.suite.prefix,
                                                      "limit": "5"}), "GET /v2/images", v2)
