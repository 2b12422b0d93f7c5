"""Update: PUT /images/<id> with metadata, properties, data or a location (§2, §8)."""

import os
import time

import pytest

from conformance import expect
from conformance.context import RUN_PROPERTY
from conformance.expect import OCTETS, md5

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes



def put(api, v, iid, headers, cid="API-PUT-1", prefix="", body=None, chunked=False):
    res = api.put(f"{prefix}/images/{iid}", headers=headers, body=body,
                  content_type=OCTETS if body is not None or chunked else None, chunked=chunked)
    expect.require_status(v, cid, res, 200, f"PUT {prefix}/images/{iid}")
    return res, expect.image_of(v, cid, res, f"PUT {prefix}/images/{iid}")


def current(api, v, iid):
    """The record as HEAD shows it (core fields and properties)."""
    res = api.head(f"/images/{iid}")
    expect.require_status(v, "API-HEAD-1", res, 200, f"HEAD /images/{iid}")
    core, props, _ = expect.meta_headers(res)
    return core, props


@clause("API-PUT-1", "API-PUT-3", "IMG-1")
@pytest.mark.parametrize("prefix", ["", "/v1"])
def test_update_metadata_merges_properties(api, v, suite, prefix):
    """PUT changes the given fields and, with purge-props false, merges properties;
    200 with the image and Location."""
    image, _ = suite.create(v, "upd", headers=[("x-image-meta-property-a", "1"),
                                               ("x-image-meta-property-b", "2")])
    new_name = suite.name("renamed")
    res, got = put(api, v, image["id"], [("x-glance-registry-purge-props", "false"),
                                         ("x-image-meta-name", new_name),
                                         ("x-image-meta-disk_format", "qcow2"),
                                         ("x-image-meta-property-b", "3"),
                                         ("x-image-meta-property-c", "4")], prefix=prefix)
    expect.full_image(v, got, suite, f"PUT {prefix}/images/{image['id']}", versioned=bool(prefix))
    v.check("API-PUT-1", expect.header(res, "Location") == got.get("uri"),
            f"Location {expect.header(res, 'Location')!r} is not the uri {got.get('uri')!r}")
    v.check("API-PUT-3", got.get("name") == new_name and got.get("disk_format") == "qcow2",
            f"PUT name/disk_format gave {got.get('name')!r}/{got.get('disk_format')!r}")
    want = {RUN_PROPERTY: suite.prefix, "a": "1", "b": "3", "c": "4"}
    v.check("API-PUT-3", got.get("properties") == want,
            f"merged properties should be {want}, got {got.get('properties')}")
    _, props = current(api, v, image["id"])
    v.check("API-PUT-3", props == want, f"HEAD after PUT shows properties {props}, not {want}")


@clause("API-PUT-4")
@pytest.mark.parametrize("spelling", ["true", "True", "TRUE"])
def test_purge_props_replaces(api, v, suite, spelling):
    """x-glance-registry-purge-props: true makes the sent properties the whole set."""
    image, _ = suite.create(v, "purge", headers=[("x-image-meta-property-a", "1")])
    _, got = put(api, v, image["id"], [("x-glance-registry-purge-props", spelling),
                                       ("x-image-meta-property-z", "26")])
    v.check("API-PUT-4", got.get("properties") == {"z": "26"},
            f"purge-props {spelling} with property z should leave {{'z': '26'}}, got "
            f"{got.get('properties')}")


@clause("API-PUT-4")
def test_purge_props_without_properties_clears(api, v, suite):
    """purge-props true with no property headers clears every property."""
    image, _ = suite.create(v, "purge0", headers=[("x-image-meta-property-a", "1")])
    _, got = put(api, v, image["id"], [("x-glance-registry-purge-props", "true"),
                                       ("x-image-meta-name", suite.name("purged"))])
    v.check("API-PUT-4", got.get("properties") == {},
            f"purge-props with no properties should clear them, got {got.get('properties')}")


@clause("API-PUT-4", "API-PUT-3")
@pytest.mark.parametrize("spelling", ["false", "FALSE"])
def test_purge_props_false_merges(api, v, suite, spelling):
    """purge-props false (any case) means merge."""
    image, _ = suite.create(v, "nopurge", headers=[("x-image-meta-property-a", "1")])
    _, got = put(api, v, image["id"], [("x-glance-registry-purge-props", spelling),
                                       ("x-image-meta-property-z", "26")])
    props = got.get("properties") or {}
    v.check("API-PUT-4", props.get("a") == "1" and props.get("z") == "26",
            f"purge-props {spelling!r} is false: properties must merge, got {props}")


@clause("API-PUT-4", "API-PUT-3")
@pytest.mark.parametrize("spelling", [None, "", "None"])
def test_purge_props_absent_empty_or_none_replace(api, v, suite, spelling):
    """Without purge-props (or empty, or None) the sent properties replace the set."""
    image, _ = suite.create(v, "repl", headers=[("x-image-meta-property-a", "1")])
    purge = [] if spelling is None else [("x-glance-registry-purge-props", spelling)]
    _, got = put(api, v, image["id"], purge + [("x-image-meta-property-z", "26")])
    v.check("API-PUT-4", got.get("properties") == {"z": "26"},
            f"purge-props {spelling!r}: the sent properties must replace the set, got "
            f"{got.get('properties')}")


@clause("API-PUT-4", "ERR-1")
@pytest.mark.parametrize("spelling", ["yes", "1"])
def test_purge_props_other_values_are_400(api, v, suite, spelling):
    """Any other purge-props value is a 400, and the image is unchanged."""
    image, _ = suite.create(v, "badpurge", headers=[("x-image-meta-property-a", "1")])
    res = api.put(f"/images/{image['id']}", headers=[
        ("x-glance-registry-purge-props", spelling), ("x-image-meta-property-z", "26")])
    expect.error(v, "API-PUT-4", res, 400, f"PUT with purge-props {spelling!r}")
    _, props = current(api, v, image["id"])
    v.check("API-PUT-4", "z" not in props and props.get("a") == "1",
            f"a refused PUT changed the properties to {props}")


@clause("API-PUT-2", "ERR-1")
def test_update_unknown_is_404(api, v):
    """PUT of an id that names no image answers 404."""
    res = api.put("/images/9223372036854775000", headers=[("x-image-meta-name", "nobody")])
    expect.error(v, "API-PUT-2", res, 404, "PUT /images/9223372036854775000")


@clause("API-PUT-5")
def test_data_is_immutable(api, v, suite):
    """A body for an active image answers 409 "image data is immutable"; the data stays."""
    data = b"original data"
    image, _ = suite.create(v, "immut", body=data)
    res = api.put(f"/images/{image['id']}", body=b"replacement", content_type=OCTETS)
    expect.error(v, "API-PUT-5", res, 409, f"PUT data to active image {image['id']}",
                 names="immutable")
    got = api.get(f"/images/{image['id']}")
    v.check("API-PUT-5", got.status_int == 200 and got.body == data,
            f"after the refused PUT, GET answers {got.status} with {got.body[:40]!r}")


@clause("API-PUT-5")
def test_data_is_immutable_when_killed(api, v, suite):
    """A body for a killed image answers 409 too."""
    image = suite.killed_image(v)
    res = api.put(f"/images/{image['id']}", body=b"second try", content_type=OCTETS)
    expect.error(v, "API-PUT-5", res, 409, f"PUT data to killed image {image['id']}",
                 names="immutable")


@clause("API-PUT-6", "API-PUT-1")
@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_upload_to_queued(api, v, suite, chunked):
    """A body for a queued image uploads exactly as POST does."""
    image, _ = suite.create(v, "later")
    data = os.urandom(80_000)
    res, got = put(api, v, image["id"], [], body=data, chunked=chunked, cid="API-PUT-6")
    v.check("API-PUT-6", got.get("status") == "active" and got.get("size") == len(data)
            and (got.get("checksum") or "").lower() == md5(data),
            f"upload by PUT gave status {got.get('status')!r}, size {got.get('size')!r}, "
            f"checksum {got.get('checksum')!r}")
    etag = expect.etag_value(expect.header(res, "ETag"))
    v.check("API-PUT-1", etag is not None and etag.lower() == md5(data),
            f"PUT with data: ETag {expect.header(res, 'ETag')!r} is not {md5(data)}")
    dl = api.get(f"/images/{image['id']}")
    v.check("API-PUT-6", dl.status_int == 200 and dl.body == data,
            f"GET after PUT upload answers {dl.status}, {len(dl.body)} bytes")


@clause("API-PUT-6")
def test_upload_to_queued_size_mismatch(api, v, suite):
    """A PUT upload with a size mismatch answers 400 and kills the image."""
    image, _ = suite.create(v, "putmm")
    res = api.put(f"/images/{image['id']}", headers=[("x-image-meta-size", "5")],
                  body=b"123456", content_type=OCTETS)
    expect.error(v, "API-PUT-6", res, 400, "PUT of 6 bytes with x-image-meta-size 5")
    core, _ = current(api, v, image["id"])
    v.check("API-PUT-6", core.get("status") == "killed",
            f"after a failed PUT upload the status is {core.get('status')!r}, not killed")


@clause("API-PUT-8", "API-POST-2")
def test_update_ignores_server_fields(api, v, suite):
    """Client values for checksum, size, uri, timestamps, deleted (and the
    current status) are ignored."""
    image, _ = suite.create(v, "forge")
    res = api.put(f"/images/{image['id']}", headers=[
        ("x-glance-registry-purge-props", "false"),
        ("x-image-meta-status", image.get("status")), ("x-image-meta-checksum", md5(b"forged")),
        ("x-image-meta-size", "777"),       # not owner: an admin's is taken (§2)
        ("x-image-meta-created_at", "2001-02-03T04:05:06"),
        ("x-image-meta-deleted", "True"), ("x-image-meta-uri", "http://forged.invalid/x"),
        ("x-image-meta-store", "forged")])
    expect.require_status(v, "API-PUT-8", res, 200, "PUT with server-controlled fields")
    got = expect.image_of(v, "API-PUT-8", res, "PUT")
    for field in ("status", "checksum", "size", "created_at", "deleted", "store"):
        v.check("API-PUT-8", got.get(field) == image.get(field),
                f"{field} changed from {image.get(field)!r} to {got.get(field)!r}")
    v.check("API-PUT-8", got.get("uri") == image.get("uri"), f"uri changed to {got.get('uri')!r}")
    expect.require_status(v, "API-PUT-8", api.head(f"/images/{image['id']}"), 200,
                          "HEAD after PUT deleted=True (the image must still exist)")


@clause("API-PUT-8")
def test_update_of_status_is_403(api, v, suite):
    """A status other than the current one → 403 "Forbidden to modify 'status' of image."."""
    image, _ = suite.create(v, "forge-status")
    res = api.put(f"/images/{image['id']}", headers=[("x-image-meta-status", "active")])
    expect.error(v, "API-PUT-8", res, 403, "PUT with x-image-meta-status: active",
                 names="Forbidden to modify 'status' of image.")
    core, _ = current(api, v, image["id"])
    v.check("API-PUT-8", core.get("status") == image.get("status"),
            f"a refused PUT changed the status to {core.get('status')!r}")


@clause("IMG-6")
def test_updated_at(api, v, suite):
    """updated_at changes on every metadata change and status transition, never on reads."""
    image, _ = suite.create(v, "stamp")
    time.sleep(1.1)
    api.head(f"/images/{image['id']}")
    api.get(f"/images/{image['id']}")
    api.get("/images/detail", query=suite.run_filter())
    core, _ = current(api, v, image["id"])
    v.check("IMG-6", core.get("updated_at") == image.get("updated_at"),
            f"reads changed updated_at from {image.get('updated_at')!r} to "
            f"{core.get('updated_at')!r}")
    _, renamed = put(api, v, image["id"], [("x-image-meta-name", suite.name("stamp2"))])
    v.check("IMG-6", (renamed.get("updated_at") or "") > (image.get("updated_at") or ""),
            f"a metadata change left updated_at at {renamed.get('updated_at')!r}")
    time.sleep(1.1)
    _, uploaded = put(api, v, image["id"], [], body=b"now with data")
    v.check("IMG-6", (uploaded.get("updated_at") or "") > (renamed.get("updated_at") or ""),
            f"queued → active left updated_at at {uploaded.get('updated_at')!r}")


@clause("VAL-3", "VAL-2", "VAL-1")
def test_update_validates_merged_record(api, v, suite):
    """Validation runs on the merged record at every update."""
    image, _ = suite.create(v, "merge", headers=[("x-image-meta-disk_format", "ami"),
                                                 ("x-image-meta-container_format", "ami")])
    res = api.put(f"/images/{image['id']}", headers=[("x-image-meta-disk_format", "raw")])
    expect.error(v, "VAL-3", res, 400, "PUT disk_format=raw onto container_format=ami",
                 names="Invalid mix of disk and container formats")
    res = api.put(f"/images/{image['id']}", headers=[("x-image-meta-disk_format", "floppy9")])
    expect.error(v, "VAL-1", res, 400, "PUT disk_format=floppy9", names="floppy9")
    core, _ = current(api, v, image["id"])
    v.check("VAL-3", core.get("disk_format") == "ami",
            f"a refused PUT changed disk_format to {core.get('disk_format')!r}")
    _, got = put(api, v, image["id"], [("x-image-meta-disk_format", "aki"),
                                       ("x-image-meta-container_format", "aki")])
    v.check("VAL-2", got.get("disk_format") == "aki" and got.get("container_format") == "aki",
            "setting both formats to aki in one request must be accepted")


@clause("API-PUT-7")
def test_location_on_queued(api, v, suite, origin):
    """PUT with a location makes a queued image active."""
    data = os.urandom(4096)
    url, _ = origin.add(f"/{suite.prefix}/put-loc", data)
    image, _ = suite.create(v, "putloc")
    _, got = put(api, v, image["id"], [("x-image-meta-location", url),
                                       ("x-image-meta-size", str(len(data)))], cid="API-PUT-7")
    v.check("API-PUT-7", got.get("status") == "active" and got.get("size") == len(data),
            f"location on a queued image gave {got.get('status')!r}, size {got.get('size')!r}")
    dl = api.get(f"/images/{image['id']}")
    v.check("LOC-4", dl.status_int == 200 and dl.body == data,
            f"GET of the registered location answers {dl.status}, {len(dl.body)} bytes")


@clause("API-PUT-7")
def test_location_on_active(api, v, suite):
    """A location for an active image answers 409 or is ignored; the data never changes."""
    data = b"keep me"
    image, _ = suite.create(v, "actloc", body=data)
    res = api.put(f"/images/{image['id']}", headers=[
        ("x-image-meta-location", "http://127.0.0.1:9/elsewhere"), ("x-image-meta-size", "3")])
    v.check("API-PUT-7", res.status_int in (200, 409),
            f"PUT location on an active image answered {res.status}, expected 409 (or 200 "
            f"ignoring it)")
    dl = api.get(f"/images/{image['id']}")
    v.check("API-PUT-7", dl.status_int == 200 and dl.body == data,
            f"after PUT location on an active image, GET answers {dl.status} with "
            f"{dl.body[:40]!r}")
    core, _ = current(api, v, image["id"])
    v.check("API-PUT-7", core.get("size") == str(len(data)),
            f"size changed to {core.get('size')!r}")
