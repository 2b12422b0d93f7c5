"""Images API v2 JSON-patch updates (§4 PATCH): media types, operations, pointers, atomicity.

Every check works on a fresh image of its own, and reads the image back to
see that a refused PATCH changed nothing.
"""

import json
import time

import pytest

from conformance import expect, expect_v2
from conformance.v2 import PATCH_21

clause = pytest.mark.clause
pytestmark = pytest.mark.writes


def op(kind, path, *value):
    d = {"op": kind, "path": path}
    if value:
        d["value"] = value[0]
    return d


def unchanged(v, v2, cid, img, what):
    """The image reads back as it was (updated_at included)."""
    now = v2.read(img["id"]) or {}
    diff = {k: (img.get(k), now.get(k)) for k in set(img) | set(now)
            if img.get(k) != now.get(k)}
    v.check(cid, not diff, f"{what} changed the image: {diff}")


@clause("V2-PATCH-1", "V2-SCH-6")
def test_patch_add_replace_remove(api, v, v2):
    """add, replace and remove apply and the answer is the image after the change."""
    img, _ = v2.create(v, "patch", {"keep": "k", "gone": "g"})
    res = v2.patch(img["id"], [op("add", "/name", "renamed"), op("replace", "/min_ram", 256),
                               op("add", "/new_prop", "new"), op("replace", "/keep", "kept"),
                               op("remove", "/gone")])
    expect.require_status(v, "V2-PATCH-1", res, 200, "PATCH")
    after = expect_v2.image_of(v, "V2-PATCH-1", res, "PATCH", v2)
    want = {"name": "renamed", "min_ram": 256, "new_prop": "new", "keep": "kept"}
    wrong = {k: after.get(k) for k, x in want.items() if after.get(k) != x}
    v.check("V2-PATCH-1", not wrong and "gone" not in after,
            f"after PATCH: {wrong}, gone={after.get('gone')!r}")
    shown = v2.read(img["id"]) or {}
    v.check("V2-PATCH-1", {k: shown.get(k) for k in want} == want,
            f"GET after PATCH shows {({k: shown.get(k) for k in want})}")


@clause("V2-PATCH-2", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("ctype", ["application/json", "application/json-patch+json",
                                   "text/plain"])
def test_patch_other_media_type_is_415(api, v, v2, ctype):
    """Another Content-Type answers 415 with Accept-Patch naming the v2.1 media type."""
    img, _ = v2.create(v, "patch-415")
    res = v2.patch(img["id"], [op("replace", "/name", "x")], content_type=ctype)
    expect.error(v, "V2-PATCH-2", res, 415, f"PATCH as {ctype}")
    accept = expect.header(res, "Accept-Patch") or ""
    v.check("V2-PATCH-2", PATCH_21 in [a.strip() for a in accept.split(",")],
            f"PATCH as {ctype}: Accept-Patch is {accept!r}, naming no {PATCH_21}")
    unchanged(v, v2, "V2-PATCH-2", img, f"PATCH as {ctype}")


BAD = {
    "object": b'{"op": "replace", "path": "/name", "value": "x"}',
    "not-json": b"[{",
    "list-of-strings": b'["replace"]',
    "move": json.dumps([op("move", "/name", "x")]).encode(),
    "no-slash": json.dumps([op("replace", "name", "x")]).encode(),
    "deep": json.dumps([op("replace", "/name/x", "x")]).encode(),
    "no-value": json.dumps([op("replace", "/name")]).encode(),
    "add-no-value": json.dumps([op("add", "/prop")]).encode(),
}


@clause("V2-PATCH-3", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("name", list(BAD))
def test_patch_malformed_is_400(api, v, v2, name):
    """Bodies, ops, paths and values outside the patch grammar answer 400."""
    img, _ = v2.create(v, f"patch-{name}")
    res = v2.patch(img["id"], None, raw=BAD[name])
    expect.error(v, "V2-PATCH-3", res, 400, f"PATCH with a {name} body")
    unchanged(v, v2, "V2-PATCH-3", img, f"PATCH with a {name} body")


@clause("V2-PATCH-4")
@pytest.mark.parametrize("pointer, name", [("/a~1b", "a/b"), ("/c~0d", "c~d")])
def test_patch_pointer_escapes(api, v, v2, pointer, name):
    """~1 and ~0 decode to / and ~: the property is stored under the decoded name, or
    refused by name (a server may hold property names to a narrower alphabet, §10)."""
    img, _ = v2.create(v, "pointer")
    res = v2.patch(img["id"], [op("add", pointer, "escaped")])
    if res.status_int == 400:
        message, _ = expect.error_message(res)
        v.check("V2-PATCH-4", name in message,
                f"PATCH {pointer} was refused without naming {name!r}: {message[:200]!r}")
        return
    expect.require_status(v, "V2-PATCH-4", res, 200, f"PATCH {pointer}")
    after = expect_v2.image_of(v, "V2-PATCH-4", res, "PATCH", v2)
    v.check("V2-PATCH-4", after.get(name) == "escaped",
            f"after PATCH {pointer}: {name}={after.get(name)!r}, keys "
            f"{sorted(k for k in after if k not in expect_v2.FIELDS)}")


@clause("V2-PATCH-5", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("path, word", [("/status", "read-only"), ("/checksum", "read-only"),
                                        ("/os_hash_value", "read-only"),
                                        ("/size", "read-only"), ("/location", "reserved"),
                                        ("/deleted", "reserved"),
                                        ("/os_glance_conformance", "reserved")])
def test_patch_read_only_and_reserved_are_403(api, v, v2, path, word):
    """A read-only path answers 403 "is read-only", a reserved one "is reserved"."""
    img, _ = v2.create(v, "patch-403")
    value = 5 if path == "/size" else "active" if path == "/status" else "x"
    res = v2.patch(img["id"], [op("add" if word == "reserved" else "replace", path, value)])
    expect.error(v, "V2-PATCH-5", res, 403, f"PATCH {path}",
                 names=f"Attribute '{path[1:]}' is {word}")
    unchanged(v, v2, "V2-PATCH-5", img, f"PATCH {path}")


@clause("V2-PATCH-6", "ERR-1", "ERR-2", "ERR-3")
def test_patch_absent_properties_and_base_attributes(api, v, v2):
    """replace/remove of an absent property is 409; remove of a base attribute is 403."""
    img, _ = v2.create(v, "absent", {"present": "p"})
    for body in ([op("replace", "/absent", "x")], [op("remove", "/absent")]):
        res = v2.patch(img["id"], body)
        expect.error(v, "V2-PATCH-6", res, 409, f"PATCH {body[0]['op']} of an absent property")
    res = v2.patch(img["id"], [op("remove", "/name")])
    expect.error(v, "V2-PATCH-6", res, 403, "PATCH remove /name", names="may not be removed")
    unchanged(v, v2, "V2-PATCH-6", img, "the refused PATCHes")
    res = v2.patch(img["id"], [op("add", "/present", "replaced")])
    expect.require_status(v, "V2-PATCH-6", res, 200, "PATCH add of a present property")
    after = expect_v2.image_of(v, "V2-PATCH-6", res, "PATCH", v2)
    v.check("V2-PATCH-6", after.get("present") == "replaced",
            f"add of a present property left {after.get('present')!r}")


@clause("V2-PATCH-7")
def test_patch_tags_whole_list(api, v, v2):
    """/tags takes the whole list; duplicates collapse."""
    img, _ = v2.create(v, "tags", {"tags": ["old"]})
    res = v2.patch(img["id"], [op("replace", "/tags", ["z", "y", "z"])])
    expect.require_status(v, "V2-PATCH-7", res, 200, "PATCH /tags")
    after = expect_v2.image_of(v, "V2-PATCH-7", res, "PATCH /tags", v2)
    v.check("V2-PATCH-7", sorted(after.get("tags") or []) == ["y", "z"],
            f"tags after replacing with [z, y, z]: {after.get('tags')!r}")


@clause("V2-PATCH-8", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("path, value", [("/visibility", "bogus"), ("/disk_format", "bogus"),
                                         ("/min_ram", "256"), ("/min_ram", -1),
                                         ("/min_ram", 2 ** 31), ("/protected", "yes"),
                                         ("/custom", 5), ("/name", "n" * 256)])
def test_patch_bad_values_are_400(api, v, v2, path, value):
    """Values validate as on create."""
    img, _ = v2.create(v, "patch-400")
    res = v2.patch(img["id"], [op("replace" if path != "/custom" else "add", path, value)])
    expect.error(v, "V2-PATCH-8", res, 400, f"PATCH {path}={str(value)[:20]!r}")
    unchanged(v, v2, "V2-PATCH-8", img, f"PATCH {path}")


@clause("V2-PATCH-9")
def test_patch_is_atomic(api, v, v2):
    """A failing operation after good ones changes nothing."""
    img, _ = v2.create(v, "atomic", {"prop": "before"})
    for bad in (op("replace", "/min_ram", "bad"), op("remove", "/absent"),
                op("replace", "/status", "active")):
        res = v2.patch(img["id"], [op("replace", "/name", "changed"),
                                   op("replace", "/prop", "after"), bad])
        v.check("V2-PATCH-9", 400 <= res.status_int < 500,
                f"PATCH ending in {bad} answered {res.status}, not a 4xx")
        unchanged(v, v2, "V2-PATCH-9", img, f"a PATCH ending in {bad}")


@clause("V2-PATCH-10")
def test_patch_moves_updated_at(api, v, v2):
    """updated_at changes with a change (the suite waits a second first)."""
    img, _ = v2.create(v, "updated")
    time.sleep(1.1)
    res = v2.patch(img["id"], [op("replace", "/name", "later")])
    expect.require_status(v, "V2-PATCH-10", res, 200, "PATCH")
    after = expect_v2.image_of(v, "V2-PATCH-10", res, "PATCH", v2)
    v.check("V2-PATCH-10", isinstance(after.get("updated_at"), str)
            and after["updated_at"] > img["updated_at"],
            f"updated_at {img['updated_at']!r} → {after.get('updated_at')!r} after a change")


@clause("V2-PATCH-11")
@pytest.mark.parametrize("path", ["/disk_format", "/container_format"])
def test_patch_formats_only_while_queued(api, v, v2, path):
    """disk_format and container_format of an active image answer 403."""
    img = v2.active(v, "formats")
    value = "qcow2" if path == "/disk_format" else "ovf"
    res = v2.patch(img["id"], [op("replace", path, value)])
    expect.error(v, "V2-PATCH-11", res, 403, f"PATCH {path} of an active image")
    unchanged(v, v2, "V2-PATCH-11", img, f"PATCH {path} of an active image")
