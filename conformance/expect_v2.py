"""Expectations about Images API v2 answers: the image JSON, the list envelope, members.

Every function takes the test's `Verifier` and names the clause it judges,
as `conformance.expect` does for v1.  Images and members are also validated
against the schemas the server itself publishes (V2-SCH-6, V2-SCH-7), with
the suite's own validator: that is what glanceclient does with every image
it receives.
"""

import re
from urllib.parse import parse_qsl, urlsplit

from conformance import expect, jsonschema

V2 = "/v2"
FIELDS = ("id", "name", "status", "visibility", "protected", "os_hidden", "checksum",
          "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size",
          "container_format", "disk_format", "min_disk", "min_ram", "tags", "created_at",
          "updated_at", "self", "file", "schema")
NEVER = ("location", "store", "uri", "is_public", "deleted", "deleted_at", "status_reason",
         "properties")
OUR_NEVER = ("stores", "direct_url", "locations")
# Keys that are not custom properties even where a server's schema omits them.
NOT_CUSTOM = set(FIELDS) | set(NEVER) | set(OUR_NEVER)
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
MEMBER_KEYS = ("image_id", "member_id", "status", "created_at", "updated_at", "schema")


class SchemaUnusable(Exception):
    """The server's schema uses JSON Schema the suite cannot evaluate: it cannot judge."""


def validate(v, clause, value, schema, what):
    """Judge `value` against a published schema; a schema we cannot read is not judged."""
    if not isinstance(schema, dict):
        return
    problems = jsonschema.errors(value, schema)
    unknown = [p for p in problems if "does not know the keyword" in p]
    if unknown:
        raise SchemaUnusable(f"{what}: {unknown[0]}")
    v.check(clause, not problems,
            f"{what}: does not validate against the server's own schema: "
            f"{'; '.join(problems[:3])}")


def image(v, img, run, what):
    """Judge one v2 image (V2-IMG-*, V2-SCH-6)."""
    iid = img.get("id")
    what = f"{what} (image {iid})"
    missing = [f for f in FIELDS if f not in img]
    v.check("V2-IMG-1", not missing, f"{what}: missing fields {missing}")
    custom = {k: x for k, x in img.items() if k not in NOT_CUSTOM and k not in
              run.schema_properties("image")}
    v.check("V2-IMG-1", all(isinstance(x, str) for x in custom.values()),
            f"{what}: custom properties must be strings, got "
            f"{ {k: x for k, x in custom.items() if not isinstance(x, str)} }")
    shown = [f for f in NEVER if f in img]
    v.check("V2-IMG-2", not shown, f"{what}: shows the v1-only/internal fields {shown}")
    ours = [f for f in OUR_NEVER if f in img]
    v.check("V2-IMG-6", not ours, f"{what}: shows {ours}")
    for f in ("created_at", "updated_at"):
        if f in img:
            v.check("V2-IMG-3", isinstance(img[f], str) and bool(STAMP.match(img[f])),
                    f"{what}: {f} {img[f]!r} is not YYYY-MM-DDTHH:MM:SSZ")
    links = {"self": f"{V2}/images/{iid}", "file": f"{V2}/images/{iid}/file",
             "schema": f"{V2}/schemas/image"}
    for key, wanted in links.items():
        if key in img:
            v.check("V2-IMG-4", img[key] == wanted, f"{what}: {key} is {img[key]!r}, not "
                                                    f"{wanted!r}")
    pair = (img.get("os_hash_algo"), img.get("os_hash_value"))
    v.check("V2-IMG-5", (pair[0] is None) == (pair[1] is None),
            f"{what}: os_hash_algo and os_hash_value must be both null or both set, got "
            f"{pair!r}")
    tags = img.get("tags")
    if isinstance(tags, list):
        v.check("V2-IMG-5", len(tags) == len({repr(t) for t in tags}),
                f"{what}: tags repeat: {tags!r}")
    validate(v, "V2-SCH-6", img, run.schema("image"), what)


def json_of(v, clause, res, what):
    """The JSON body of an answer (JSON-1, JSON-2 judged on the way)."""
    return expect.json_doc(v, clause, res, what)


def image_of(v, clause, res, what, run):
    """The image of an answer that carries one (create, show, PATCH), judged."""
    doc = json_of(v, clause, res, what)
    v.require(clause, isinstance(doc, dict) and isinstance(doc.get("id"), str),
              f"{what}: expected an image object with a string id, got {str(doc)[:200]}")
    image(v, doc, run, what)
    return doc


def listing(v, res, what, run, clause="V2-LIST-1"):
    """The list envelope (V2-LIST-1); returns the parsed document with judged images."""
    expect.require_status(v, clause, res, 200, what)
    doc = json_of(v, clause, res, what)
    v.require(clause, isinstance(doc, dict) and isinstance(doc.get("images"), list)
              and all(isinstance(i, dict) for i in doc["images"]),
              f"{what}: expected {{\"images\": [objects], …}}, got {str(doc)[:200]}")
    v.check(clause, doc.get("schema") == "/v2/schemas/images",
            f"{what}: schema is {doc.get('schema')!r}, not '/v2/schemas/images'")
    first = doc.get("first")
    v.check(clause, isinstance(first, str) and (first == "/v2/images" or
                                                first.startswith("/v2/images?")),
            f"{what}: first is {first!r}, not /v2/images[?…]")
    if "next" in doc:
        v.check("V2-PAGE-3", isinstance(doc["next"], str)
                and doc["next"].startswith("/v2/images?"),
                f"{what}: next is {doc['next']!r}, not a path /v2/images?…")
    for img in doc["images"]:
        image(v, img, run, what)
    return doc


def query_of(link):
    """The parameters of a `first`/`next` path, parsed: [(key, value)], sorted."""
    return sorted(parse_qsl(urlsplit(link).query, keep_blank_values=True))


def member(v, m, run, what, clause="V2-MEM-1"):
    """Judge one member (V2-MEM-1's shape, V2-SCH-7)."""
    v.require(clause, isinstance(m, dict), f"{what}: the member is not an object: {m!r}")
    missing = [k for k in MEMBER_KEYS if k not in m]
    v.check(clause, not missing, f"{what}: the member lacks {missing}")
    v.check(clause, m.get("schema") == "/v2/schemas/member",
            f"{what}: schema is {m.get('schema')!r}, not '/v2/schemas/member'")
    for f in ("created_at", "updated_at"):
        if f in m:
            v.check(clause, isinstance(m[f], str) and bool(STAMP.match(m[f])),
                    f"{what}: member {f} {m[f]!r} is not YYYY-MM-DDTHH:MM:SSZ")
    validate(v, "V2-SCH-7", m, run.schema("member"), what)
    return m
