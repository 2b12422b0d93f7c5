"""Update: PUT /v1/images/<id> with metadata, properties, data or a location (§2, §10)."""

import os
import time
import uuid

import pytest

from conformance import expect
from conformance.context import FORMATS, RUN_PROPERTY, V1
from conformance.expect import OCTETS, md5

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes
MERGE = ("x-glance-registry-purge-props", "false")


def put(api, v, iid, headers, cid="API-PUT-1", prefix=V1, body=None, chunked=False):
    res = api.put(f"{prefix}/images/{iid}", headers=headers, body=body,
                  content_type=OCTETS if body is not None or chunked else None, chunked=chunked)
    expect.require_status(v, cid, res, 200, f"PUT {prefix}/images/{iid}")
    return res, expect.image_of(v, cid, res, f"PUT {prefix}/images/{iid}")


def current(api, v, iid):
    """The record as HEAD shows it (core fields and properties)."""
    res = api.head(f"{V1}/images/{iid}")
    expect.require_status(v, "API-HEAD-1", res, 200, f"HEAD {V1}/images/{iid}")
    core, props, _ = expect.meta_headers(res)
    return core, props


@clause("API-PUT-1", "API-PUT-3", "API-PUT-9", "IMG-1")
def test_update_metadata_merges_properties(api, v, suite):
    """PUT with purge-props false changes the given fields and merges properties."""
    image, _ = suite.create(v, "upd", headers=[("x-image-meta-property-a", "1"),
                                               ("x-image-meta-property-b", "2")])
    new_name = suite.name("renamed")
    res, got = put(api, v, image["id"], [MERGE, ("x-image-meta-name", new_name),
                                         ("x-image-meta-disk_format", "qcow2"),
                                         ("x-image-meta-property-b", "3"),
                                         ("x-image-meta-property-c", "4")])
    expect.full_image(v, got, suite, f"PUT {V1}/images/{image['id']}")
    v.check("API-PUT-9", "uri" in got and expect.header(res, "Location") == got.get("uri"),
            f"Location {expect.header(res, 'Location')!r} is not the uri {got.get('uri')!r}")
    v.check("API-PUT-3", got.get("name") == new_name and got.get("disk_format") == "qcow2",
            f"PUT name/disk_format gave {got.get('name')!r}/{got.get('disk_format')!r}")
    want = {RUN_PROPERTY: suite.prefix, "a": "1", "b": "3", "c": "4"}
    v.check("API-PUT-3", got.get("properties") == want,
            f"merged properties should be {want}, got {got.get('properties')}")
    _, props = current(api, v, image["id"])
    v.check("API-PUT-3", props == want, f"HEAD after PUT shows properties {props}, not {want}")


@clause("API-PUT-3", "API-PUT-4", "API-PUT-13")
@pytest.mark.parametrize("spelling", [None, "", "None", "true", "True", "TRUE"],
                         ids=["absent", "empty", "None", "true", "True", "TRUE"])
def test_properties_replaced(api, v, suite, spelling):
    """Without purge-props false the sent properties replace the old set."""
    image, _ = suite.create(v, "repl", headers=[("x-image-meta-property-a", "1")])
    purge = [] if spelling is None else [("x-glance-registry-purge-props", spelling)]
    _, got = put(api, v, image["id"], purge + [("x-image-meta-property-z", "26")])
    cid = {None: "API-PUT-3", "": "API-PUT-13", "None": "API-PUT-13"}.get(spelling, "API-PUT-4")
    v.check(cid,
            got.get("properties") == {"z": "26"},
            f"purge-props {spelling!r}: the sent properties must replace the set, got "
            f"{got.get('properties')}")


@clause("API-PUT-3")
def test_update_without_properties_clears(api, v, suite):
    """A PUT without property headers (and without purge-props false) clears them."""
    image, _ = suite.create(v, "purge0", headers=[("x-image-meta-property-a", "1")])
    _, got = put(api, v, image["id"], [("x-image-meta-name", suite.name("purged"))])
    v.check("API-PUT-3", got.get("properties") == {},
            f"a PUT with no properties should clear them, got {got.get('properties')}")


@clause("API-PUT-4", "API-PUT-3")
@pytest.mark.parametrize("spelling", ["false", "FALSE", "False"])
def test_purge_props_false_merges(api, v, suite, spelling):
    """purge-props false (any case) means merge."""
    image, _ = suite.create(v, "nopurge", headers=[("x-image-meta-property-a", "1")])
    _, got = put(api, v, image["id"], [("x-glance-registry-purge-props", spelling),
                                       ("x-image-meta-property-z", "26")])
    props = got.get("properties") or {}
    v.check("API-PUT-4", props.get("a") == "1" and props.get("z") == "26",
            f"purge-props {spelling!r} is false: properties must merge, got {props}")


@clause("API-PUT-3")
def test_upload_merges_properties(api, v, suite):
    """A PUT that carries data merges properties whatever purge-props says."""
    image, _ = suite.create(v, "datamerge", headers=[("x-image-meta-property-a", "1"),
                                                     *FORMATS])
    _, got = put(api, v, image["id"], [("x-image-meta-property-z", "26")], body=b"data")
    props = got.get("properties") or {}
    v.check("API-PUT-3", props.get("a") == "1" and props.get("z") == "26",
            f"a PUT with data must merge properties, got {props}")


@clause("API-PUT-10")
@pytest.mark.parametrize("spelling", ["yes", "1"])
def test_purge_props_other_values_are_400(api, v, suite, spelling):
    """Any other purge-props value is a 400, and the image is unchanged."""
    image, _ = suite.create(v, "badpurge", headers=[("x-image-meta-property-a", "1")])
    res = api.put(f"{V1}/images/{image['id']}", headers=[
        ("x-glance-registry-purge-props", spelling), ("x-image-meta-property-z", "26")])
    expect.error(v, "API-PUT-10", res, 400, f"PUT with purge-props {spelling!r}")
    _, props = current(api, v, image["id"])
    v.check("API-PUT-10", "z" not in props and props.get("a") == "1",
            f"a refused PUT changed the properties to {props}")


@clause("API-PUT-2", "ERR-1")
def test_update_unknown_is_404(api, v):
    """PUT of an id that names no image answers 404."""
    unknown = str(uuid.uuid4())
    res = api.put(f"{V1}/images/{unknown}", headers=[("x-image-meta-name", "nobody")])
    expect.error(v, "API-PUT-2", res, 404, f"PUT {V1}/images/<unknown>")


@clause("API-PUT-5", "API-PUT-11")
def test_data_is_immutable(api, v, suite):
    """A body for an active image answers 409; the data stays."""
    data = b"original data"
    image, _ = suite.create(v, "immut", body=data)
    res = api.put(f"{V1}/images/{image['id']}", body=b"replacement", content_type=OCTETS)
    if expect.error(v, "API-PUT-5", res, 409, f"PUT data to active image {image['id']}"):
        message, _ = expect.error_message(res)
        v.check("API-PUT-11", "image data is immutable" in message.lower(),
                f"the 409 says {message[:200]!r}, not \"image data is immutable\"")
    got = api.get(f"{V1}/images/{image['id']}")
    v.check("API-PUT-5", got.status_int == 200 and got.body == data,
            f"after the refused PUT, GET answers {got.status} with {got.body[:40]!r}")


@clause("API-PUT-5")
def test_data_is_immutable_when_killed(api, v, suite):
    """A body for a killed image answers 409 too."""
    image = suite.killed_image(v)
    res = api.put(f"{V1}/images/{image['id']}", body=b"second try", content_type=OCTETS)
    expect.error(v, "API-PUT-5", res, 409, f"PUT data to killed image {image['id']}")


@clause("API-PUT-6", "API-PUT-1")
@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_upload_to_queued(api, v, suite, chunked):
    """A body for a queued image uploads exactly as POST does."""
    image, _ = suite.create(v, "later", headers=list(FORMATS))
    data = os.urandom(80_000)
    res, got = put(api, v, image["id"], [], body=data, chunked=chunked, cid="API-PUT-6")
    v.check("API-PUT-6", got.get("status") == "active" and got.get("size") == len(data)
            and (got.get("checksum") or "").lower() == md5(data),
            f"upload by PUT gave status {got.get('status')!r}, size {got.get('size')!r}, "
            f"checksum {got.get('checksum')!r}")
    etag = expect.etag_value(expect.header(res, "ETag"))
    v.check("API-PUT-1", etag is not None and etag.lower() == md5(data),
            f"PUT with data: ETag {expect.header(res, 'ETag')!r} is not {md5(data)}")
    dl = api.get(f"{V1}/images/{image['id']}")
    v.check("API-PUT-6", dl.status_int == 200 and dl.body == data,
            f"GET after PUT upload answers {dl.status}, {len(dl.body)} bytes")


@clause("API-PUT-6")
def test_upload_to_queued_size_mismatch(api, v, suite):
    """A PUT upload with a size mismatch answers 400 and kills the image."""
    image, _ = suite.create(v, "putmm", headers=list(FORMATS))
    res = api.put(f"{V1}/images/{image['id']}", headers=[("x-image-meta-size", "5")],
                  body=b"123456", content_type=OCTETS)
    expect.error(v, "API-PUT-6", res, 400, "PUT of 6 bytes with x-image-meta-size 5")
    core, _ = current(api, v, image["id"])
    v.check("API-PUT-6", core.get("status") == "killed",
            f"after a failed PUT upload the status is {core.get('status')!r}, not killed")


@clause("API-PUT-8")
def test_update_ignores_server_fields(api, v, suite):
    """Client values for created_at, deleted and the current status are ignored."""
    image, _ = suite.create(v, "forge")
    res = api.put(f"{V1}/images/{image['id']}", headers=[
        MERGE, ("x-image-meta-status", image.get("status")),
        ("x-image-meta-created_at", "2001-02-03T04:05:06"), ("x-image-meta-deleted", "True")])
    expect.require_status(v, "API-PUT-8", res, 200, "PUT with server-controlled fields")
    got = expect.image_of(v, "API-PUT-8", res, "PUT")
    for field in ("status", "created_at", "deleted"):
        v.check("API-PUT-8", got.get(field) == image.get(field),
                f"{field} changed from {image.get(field)!r} to {got.get(field)!r}")
    expect.require_status(v, "API-PUT-8", api.head(f"{V1}/images/{image['id']}"), 200,
                          "HEAD after PUT deleted=True (the image must still exist)")


@clause("API-PUT-14")
def test_update_ignores_checksum_and_size(api, v, suite):
    """checksum and size sent without data to a queued image are ignored."""
    image, _ = suite.create(v, "forge2")
    res = api.put(f"{V1}/images/{image['id']}", headers=[
        MERGE, ("x-image-meta-checksum", md5(b"forged")), ("x-image-meta-size", "777")])
    expect.require_status(v, "API-PUT-14", res, 200, "PUT with checksum and size")
    got = expect.image_of(v, "API-PUT-14", res, "PUT")
    for field in ("checksum", "size"):
        v.check("API-PUT-14", got.get(field) == image.get(field),
                f"{field} changed from {image.get(field)!r} to {got.get(field)!r}")


@clause("API-PUT-8")
@pytest.mark.parametrize("status", ["active", "killed"])
def test_update_of_status_is_403(api, v, suite, status):
    """A status other than the current one → 403 "Forbidden to modify 'status' of image."."""
    image, _ = suite.create(v, "forge-status")
    res = api.put(f"{V1}/images/{image['id']}", headers=[("x-image-meta-status", status)])
    expect.error(v, "API-PUT-8", res, 403, f"PUT with x-image-meta-status: {status}",
                 names="Forbidden to modify 'status' of image.")
    core, _ = current(api, v, image["id"])
    v.check("API-PUT-8", core.get("status") == image.get("status"),
            f"a refused PUT changed the status to {core.get('status')!r}")


@clause("API-PUT-12")
def test_update_new_fields(api, v, suite):
    """protected, min_disk and min_ram change on update."""
    image, _ = suite.create(v, "newfields")
    _, got = put(api, v, image["id"], [MERGE, ("x-image-meta-protected", "True"),
                                       ("x-image-meta-min_disk", "7"),
                                       ("x-image-meta-min_ram", "256")], cid="API-PUT-12")
    v.check("API-PUT-12", (got.get("protected"), got.get("min_disk"), got.get("min_ram"))
            == (True, 7, 256), f"PUT protected/min_disk/min_ram gave {got.get('protected')!r}, "
                               f"{got.get('min_disk')!r}, {got.get('min_ram')!r}")
    _, got = put(api, v, image["id"], [MERGE, ("x-image-meta-protected", "False")])
    v.check("API-PUT-12", got.get("protected") is False, "protected did not go back to False")


@clause("IMG-6", "IMG-13")
def test_updated_at(api, v, suite):
    """updated_at changes on every metadata change and status transition, never on reads."""
    image, _ = suite.create(v, "stamp", headers=list(FORMATS))
    time.sleep(0.05)
    api.head(f"{V1}/images/{image['id']}")
    api.get(f"{V1}/images/{image['id']}")
    api.get(V1 + "/images/detail", query=suite.run_filter())
    core, _ = current(api, v, image["id"])
    v.check("IMG-6", core.get("updated_at") == image.get("updated_at"),
            f"reads changed updated_at from {image.get('updated_at')!r} to "
            f"{core.get('updated_at')!r}")
    res, renamed = put(api, v, image["id"], [MERGE, ("x-image-meta-name", suite.name("st2"))])
    expect.not_ahead(v, res, renamed, "PUT", suite)
    v.check("IMG-6", (renamed.get("updated_at") or "") > (image.get("updated_at") or ""),
            f"a metadata change left updated_at at {renamed.get('updated_at')!r}")
    time.sleep(0.05)
    res, uploaded = put(api, v, image["id"], [], body=b"now with data")
    expect.not_ahead(v, res, uploaded, "PUT with data", suite)
    v.check("IMG-6", (uploaded.get("updated_at") or "") > (renamed.get("updated_at") or ""),
            f"queued → active left updated_at at {uploaded.get('updated_at')!r}")


@clause("VAL-3", "VAL-2", "VAL-1", "VAL-11")
def test_update_validates(api, v, suite):
    """Validation runs at every update (against the merged record: an extension)."""
    image, _ = suite.create(v, "merge", headers=[("x-image-meta-disk_format", "ami"),
                                                 ("x-image-meta-container_format", "ami")])
    res = api.put(f"{V1}/images/{image['id']}",
                  headers=[MERGE, ("x-image-meta-disk_format", "floppy9")])
    expect.error(v, "VAL-3", res, 400, "PUT disk_format=floppy9", names="floppy9")
    core, _ = current(api, v, image["id"])
    v.check("VAL-3", core.get("disk_format") == "ami",
            f"a refused PUT changed disk_format to {core.get('disk_format')!r}")
    res = api.put(f"{V1}/images/{image['id']}",
                  headers=[MERGE, ("x-image-meta-disk_format", "raw")])
    expect.error(v, "VAL-11", res, 400, "PUT disk_format=raw onto container_format=ami",
                 names="Invalid mix of disk and container formats")
    core, _ = current(api, v, image["id"])
    v.check("VAL-11", core.get("disk_format") == "ami",
            f"a refused PUT changed disk_format to {core.get('disk_format')!r}")
    _, got = put(api, v, image["id"], [MERGE, ("x-image-meta-disk_format", "aki"),
                                       ("x-image-meta-container_format", "aki")])
    v.check("VAL-2", got.get("disk_format") == "aki" and got.get("container_format") == "aki",
            "setting both formats to aki in one request must be accepted")


@clause("API-PUT-7", "LOC-4")
def test_location_on_queued(api, v, suite, origin):
    """PUT with a location makes a queued image active."""
    data = os.urandom(4096)
    url, _ = origin.add(f"/{suite.prefix}/put-loc", data)
    image, _ = suite.create(v, "putloc", headers=list(FORMATS))
    _, got = put(api, v, image["id"], [("x-image-meta-location", url),
                                       ("x-image-meta-size", str(len(data)))], cid="API-PUT-7")
    v.check("API-PUT-7", got.get("status") == "active" and got.get("size") == len(data),
            f"location on a queued image gave {got.get('status')!r}, size {got.get('size')!r}")
    dl = api.get(f"{V1}/images/{image['id']}")
    v.check("LOC-4", dl.status_int == 200 and dl.body == data,
            f"GET of the registered location answers {dl.status}, {len(dl.body)} bytes")


@clause("API-PUT-7")
def test_location_on_active(api, v, suite):
    """A location for an active image is refused; the data never changes."""
    data = b"keep me"
    image, _ = suite.create(v, "actloc", body=data)
    res = api.put(f"{V1}/images/{image['id']}", headers=[
        ("x-image-meta-location", "http://127.0.0.1:9/elsewhere"), ("x-image-meta-size", "3")])
    expect.error(v, "API-PUT-7", res, (400, 409), "PUT location on an active image",
                 names="Attempted to update Location field for an image not in queued status.")
    dl = api.get(f"{V1}/images/{image['id']}")
    v.check("API-PUT-7", dl.status_int == 200 and dl.body == data,
            f"after PUT location on an active image, GET answers {dl.status} with "
            f"{dl.body[:40]!r}")
    core, _ = current(api, v, image["id"])
    v.check("API-PUT-7", core.get("size") == str(len(data)),
            f"size changed to {core.get('size')!r}")
