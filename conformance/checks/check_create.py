"""Create and upload: POST /images with metadata, data, chunked data or a location (§2, §8)."""

import os
import time
import uuid

import pytest

from conformance import expect
from conformance.expect import OCTETS, md5

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes



def leftovers(api, suite, name):
    """Records a refused request left behind (they join the cleanup ledger)."""
    found = suite.find(api, name=name)
    for image in found:
        suite.ledger.add(image.get("id"))
    return found


def refused_without_record(api, v, suite, cid, what, headers, body=None,
                           content_type=OCTETS, names=None, chunked=False):
    name = suite.name("refused")
    res = api.post("/images", headers=[("x-image-meta-name", name), suite.run_header]
                   + list(headers), body=body, content_type=content_type, chunked=chunked)
    expect.error(v, cid, res, 400, what, names=names)
    left = leftovers(api, suite, name)
    v.check("API-POST-12", not left,
            f"{what}: the 400 must leave no record, found {[i.get('id') for i in left]}")
    return res


def check_created(v, suite, res, image, what, versioned=False):
    expect.full_image(v, image, suite, what, versioned=versioned)
    v.check("API-POST-1", expect.header(res, "Location") == image.get("uri"),
            f"{what}: Location {expect.header(res, 'Location')!r} is not the uri "
            f"{image.get('uri')!r}")
    etag = expect.etag_value(expect.header(res, "ETag"))
    if image.get("checksum"):
        v.check("API-POST-1", etag is not None and etag.lower() == image["checksum"].lower(),
                f"{what}: ETag {expect.header(res, 'ETag')!r} is not the checksum "
                f"{image['checksum']!r}")
    else:
        v.check("API-HEAD-2", etag is None,
                f"{what}: ETag {expect.header(res, 'ETag')!r} sent without a checksum")
    if image.get("status") == "queued":  # uploads pass through status transitions
        v.check("IMG-6", image.get("updated_at") == image.get("created_at"),
                f"{what}: updated_at {image.get('updated_at')!r} differs from created_at "
                f"{image.get('created_at')!r} at creation")


@clause("API-POST-1", "API-POST-9", "IMG-1", "IMG-6", "IMG-8", "IMG-11")
@pytest.mark.parametrize("prefix", ["", "/v1"])
def test_create_queued(api, v, suite, prefix):
    """POST without data or location makes a queued record of size 0, 201 with Location."""
    res = api.post(f"{prefix}/images", headers=[("x-image-meta-name", suite.name("q")),
                                                 suite.run_header])
    expect.require_status(v, "API-POST-1", res, 201, f"POST {prefix}/images")
    image = expect.image_of(v, "API-POST-1", res, f"POST {prefix}/images")
    suite.ledger.add(image.get("id"))
    check_created(v, suite, res, image, f"POST {prefix}/images", versioned=bool(prefix))
    v.check("API-POST-9", image.get("status") == "queued" and image.get("size") == 0,
            f"expected queued, size 0; got {image.get('status')!r}, size {image.get('size')!r}")
    v.check("IMG-11", image.get("checksum") is None,
            f"checksum must be null until data is stored, got {image.get('checksum')!r}")
    v.check("IMG-8", image.get("is_public") is False,
            f"is_public defaults to false, got {image.get('is_public')!r}")


@clause("API-POST-9")
def test_size_and_store_ignored_without_data(api, v, suite):
    """Without a body or location, x-image-meta-size and x-image-meta-store are ignored."""
    image, _ = suite.create(v, "nodata", headers=[("x-image-meta-size", "12345"),
                                                  ("x-image-meta-store", "no-such-store")])
    v.check("API-POST-9", image.get("status") == "queued" and image.get("size") == 0,
            f"expected queued, size 0; got {image.get('status')!r}, size {image.get('size')!r}")


@clause("IMG-10")
def test_ids_are_fresh_uuids(api, v, suite):
    """Ids the server assigns are fresh lower-case UUIDs."""
    first, _ = suite.create(v, "id1")
    second, _ = suite.create(v, "id2")
    v.check("IMG-10", expect.UUID.match(first["id"]) and expect.UUID.match(second["id"])
            and second["id"] != first["id"],
            f"the ids made one after another are {first['id']} and {second['id']}")


@clause("API-POST-1", "API-POST-5", "IMG-9", "IMG-11")
def test_upload(api, v, suite):
    """POST with data → active with the true size, MD5 checksum, store and location."""
    data = os.urandom(100_000)
    image, res = suite.create(v, "up", body=data)
    check_created(v, suite, res, image, "POST with 100000 bytes")
    v.check("API-POST-5", image.get("status") == "active",
            f"status after upload is {image.get('status')!r}, not active")
    v.check("API-POST-5", image.get("size") == len(data),
            f"size is {image.get('size')!r}, {len(data)} bytes were sent")
    v.check("API-POST-5", (image.get("checksum") or "").lower() == md5(data),
            f"checksum is {image.get('checksum')!r}, the MD5 is {md5(data)}")
    v.check("API-POST-5", isinstance(image.get("store"), str) and image.get("store"),
            f"store is {image.get('store')!r} after a successful upload")
    if suite.is_admin:
        v.check("API-POST-5", isinstance(image.get("location"), str) and image.get("location"),
                f"location is {image.get('location')!r} after a successful upload (admin)")


@clause("API-POST-4")
def test_explicit_store(api, v, suite):
    """x-image-meta-store naming the default backend picks it."""
    first, _ = suite.create(v, "store", body=b"abc")
    store = first.get("store")
    v.require("API-POST-5", isinstance(store, str) and store, f"store is {store!r} after upload")
    image, _ = suite.create(v, "store2", body=b"abcd", headers=[("x-image-meta-store", store)],
                            clause="API-POST-4")
    v.check("API-POST-4", image.get("store") == store and image.get("status") == "active",
            f"x-image-meta-store: {store} gave store {image.get('store')!r}, "
            f"status {image.get('status')!r}")


@clause("API-POST-5", "API-POST-10")
def test_upload_chunked(api, v, suite):
    """A chunked body uploads like one with Content-Length."""
    data = os.urandom(200_000)
    image, _ = suite.create(v, "chunked", body=data, chunked=True)
    v.check("API-POST-5", image.get("status") == "active" and image.get("size") == len(data)
            and (image.get("checksum") or "").lower() == md5(data),
            f"chunked upload of {len(data)} bytes gave status {image.get('status')!r}, size "
            f"{image.get('size')!r}, checksum {image.get('checksum')!r}")


@clause("API-POST-10")
def test_empty_chunked_upload(api, v, suite):
    """An empty chunked body is an upload of 0 bytes: active, size 0, MD5 of nothing."""
    image, _ = suite.create(v, "empty", body=b"", chunked=True, clause="API-POST-10")
    v.check("API-POST-10", image.get("status") == "active" and image.get("size") == 0
            and image.get("checksum") == expect.EMPTY_MD5,
            f"empty chunked upload gave status {image.get('status')!r}, size "
            f"{image.get('size')!r}, checksum {image.get('checksum')!r}")


@clause("API-POST-3", "API-POST-12")
@pytest.mark.parametrize("ctype", ["text/plain", "application/json"])
def test_body_needs_octet_stream(api, v, suite, ctype):
    """A body with another Content-Type answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "API-POST-3", f"POST with data as {ctype}",
                           [], body=b"some data", content_type=ctype)


@clause("API-POST-4", "API-POST-12")
def test_unknown_store(api, v, suite):
    """An unknown x-image-meta-store with data answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "API-POST-4", "POST with x-image-meta-store: nowhere",
                           [("x-image-meta-store", "nowhere")], body=b"some data")


@clause("API-POST-6")
@pytest.mark.parametrize("declared", [11, 9])
def test_size_mismatch_kills(api, v, suite, declared):
    """x-image-meta-size differing from the bytes sent → 400 and a killed record."""
    name = suite.name("sizemm")
    res = api.post("/images", headers=[("x-image-meta-name", name), suite.run_header,
                                       ("x-image-meta-size", str(declared))],
                   body=b"0123456789", content_type=OCTETS)
    expect.error(v, "API-POST-6", res, 400, f"POST of 10 bytes with x-image-meta-size {declared}")
    found = leftovers(api, suite, name)
    v.check("API-POST-6", len(found) == 1 and found[0].get("status") == "killed",
            f"a size mismatch must leave one killed record, found "
            f"{[(i.get('id'), i.get('status')) for i in found]}")
    if found:
        v.check("API-POST-6", found[0].get("checksum") is None,
                f"a killed image keeps no data, yet checksum is {found[0].get('checksum')!r}")


@clause("API-POST-7")
def test_checksum_mismatch_kills(api, v, suite):
    """x-image-meta-checksum differing from the data's MD5 → 400 and a killed record."""
    name = suite.name("summm")
    res = api.post("/images", headers=[("x-image-meta-name", name), suite.run_header,
                                       ("x-image-meta-checksum", md5(b"other"))],
                   body=b"0123456789", content_type=OCTETS)
    expect.error(v, "API-POST-7", res, 400, "POST with a wrong x-image-meta-checksum")
    found = leftovers(api, suite, name)
    v.check("API-POST-7", len(found) == 1 and found[0].get("status") == "killed",
            f"a checksum mismatch must leave one killed record, found "
            f"{[(i.get('id'), i.get('status')) for i in found]}")


@clause("API-POST-7")
def test_checksum_case_insensitive(api, v, suite):
    """A matching checksum in upper case is accepted."""
    data = b"case matters not"
    image, _ = suite.create(v, "sumcase", body=data, clause="API-POST-7",
                            headers=[("x-image-meta-checksum", md5(data).upper())])
    v.check("API-POST-7", image.get("status") == "active",
            f"upper-case matching checksum gave status {image.get('status')!r}")


@clause("API-POST-2")
def test_server_fields_ignored(api, v, suite):
    """Client values for status, checksum, timestamps, deleted, uri, store are ignored."""
    sent = {"status": "active", "checksum": md5(b"forged"),
            "created_at": "2001-02-03T04:05:06", "updated_at": "2001-02-03T04:05:06",
            "deleted_at": "2001-02-03T04:05:06", "deleted": "True",
            # not `owner`: an admin's is taken (CONTRACT §2 POST 1).
            "uri": "http://forged.invalid/images/1", "store": "forged"}
    image, _ = suite.create(v, "forged", headers=[(f"x-image-meta-{k}", x)
                                                  for k, x in sent.items()],
                            clause="API-POST-2")
    v.check("API-POST-2", image.get("status") == "queued",
            f"status is {image.get('status')!r}: the client's 'active' was stored")
    v.check("API-POST-2", image.get("checksum") is None,
            f"checksum {image.get('checksum')!r} was stored")
    for f in ("created_at", "updated_at", "deleted_at"):
        v.check("API-POST-2", image.get(f) != sent[f], f"{f} {image.get(f)!r} was stored as given")
    v.check("API-POST-2", image.get("deleted") is False, f"deleted is {image.get('deleted')!r}")
    v.check("API-POST-2", image.get("uri") != sent["uri"], "the client's uri was stored")
    v.check("API-POST-2", image.get("store") != "forged", "the client's store was stored")


@clause("API-POST-11")
def test_client_chosen_id(api, v, suite):
    """A client may choose the id; a taken id answers 409, also after deletion."""
    base, _ = suite.create(v, "idbase")
    chosen = str(uuid.uuid4())
    res = api.post("/images", headers=[("x-image-meta-name", suite.name("chosen")),
                                       suite.run_header, ("x-image-meta-id", chosen)])
    expect.require_status(v, "API-POST-11", res, 201, f"POST with x-image-meta-id {chosen}")
    image = expect.image_of(v, "API-POST-11", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("API-POST-11", image.get("id") == chosen,
            f"asked for id {chosen}, got {image.get('id')!r}")
    again = api.post("/images", headers=[("x-image-meta-name", suite.name("dup")),
                                         suite.run_header, ("x-image-meta-id", str(chosen))])
    expect.error(v, "API-POST-11", again, 409, f"POST with taken x-image-meta-id {chosen}")
    taken = api.post("/images", headers=[("x-image-meta-name", suite.name("dup")),
                                         suite.run_header, ("x-image-meta-id", str(base["id"]))])
    expect.error(v, "API-POST-11", taken, 409, f"POST with taken x-image-meta-id {base['id']}")
    expect.require_status(v, "API-DEL-1", api.delete(f"/images/{base['id']}"), 200,
                          f"DELETE /images/{base['id']}")
    suite.ledger.deleted(base["id"])
    reused = api.post("/images", headers=[("x-image-meta-name", suite.name("reuse")),
                                          suite.run_header, ("x-image-meta-id", str(base["id"]))])
    expect.error(v, "API-POST-11", reused, 409,
                 f"POST with the id of deleted image {base['id']} (ids are never reused)")


@clause("API-POST-13")
def test_disconnected_upload_is_killed(api, v, suite):
    """An upload whose client goes away is killed within seconds and keeps no data."""
    name = suite.name("disconnect")
    res = suite.disconnected_upload([("x-image-meta-name", name), suite.run_header],
                                    1_000_000, os.urandom(100_000))
    if res is not None:
        v.check("API-POST-13", 400 <= res.status_int < 500,
                f"an upload whose input ended early answered {res.status}, not 4xx")
    found, deadline = [], time.monotonic() + 10
    while time.monotonic() < deadline:
        found = leftovers(api, suite, name)
        if found and all(i.get("status") == "killed" for i in found):
            break
        time.sleep(0.25)
    v.check("API-POST-13", len(found) == 1 and found[0].get("status") == "killed",
            f"10 s after the client went away the records are "
            f"{[(i.get('id'), i.get('status')) for i in found]}, not one killed image")


# -- locations ------------------------------------------------------------------
@clause("API-POST-12", "LOC-1")
def test_body_with_location(api, v, suite):
    """A body together with x-image-meta-location answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "API-POST-12", "POST with data and a location",
                           [("x-image-meta-location", "http://127.0.0.1:9/data")],
                           body=b"some data")


@clause("LOC-1")
@pytest.mark.parametrize("url", ["file:///etc/passwd", "swift://user:key@host/c/o",
                                 "ftp://127.0.0.1/image"])
def test_location_scheme_refused(api, v, suite, url):
    """A location that is not http/https answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "LOC-1", f"POST with location {url}",
                           [("x-image-meta-location", url), ("x-image-meta-size", "10")],
                           content_type=None)


@clause("API-POST-8", "LOC-3", "LOC-4")
def test_location_with_size(api, v, suite, origin):
    """A location with a size is active at once; its data streams from the origin."""
    data = os.urandom(70_000)
    url, _ = origin.add(f"/{suite.prefix}/sized", data)
    image, res = suite.create(v, "loc", clause="API-POST-8", headers=[
        ("x-image-meta-location", url), ("x-image-meta-size", str(len(data))),
        ("x-image-meta-checksum", md5(b"not the data"))])
    check_created(v, suite, res, image, "POST with a location")
    v.check("API-POST-8", image.get("status") == "active" and image.get("size") == len(data),
            f"location image: status {image.get('status')!r}, size {image.get('size')!r}")
    v.check("LOC-3", image.get("checksum") is None,
            f"a client checksum with a location must be ignored, got {image.get('checksum')!r}")
    got = api.get(f"/images/{image['id']}")
    expect.require_status(v, "LOC-4", got, 200, f"GET /images/{image['id']} (http location)")
    v.check("LOC-4", got.body == data,
            f"GET returned {len(got.body)} bytes that differ from the origin's {len(data)}")


@clause("LOC-2")
def test_location_size_from_origin(api, v, suite, origin):
    """Without a size, the server learns it from the origin's Content-Length."""
    data = os.urandom(12_345)
    url, _ = origin.add(f"/{suite.prefix}/unsized", data)
    image, _ = suite.create(v, "locsize", clause="LOC-2",
                            headers=[("x-image-meta-location", url)])
    v.check("LOC-2", image.get("size") == len(data) and image.get("status") == "active",
            f"size learnt from the origin is {image.get('size')!r} (status "
            f"{image.get('status')!r}), the origin holds {len(data)} bytes")


@clause("LOC-2")
def test_location_without_any_size(api, v, suite, origin):
    """When neither the client nor the origin gives a size → 400."""
    url, _ = origin.add(f"/{suite.prefix}/nolength", b"no length here", with_length=False)
    refused_without_record(api, v, suite, "LOC-2", "POST with a location whose origin sends "
                           "no Content-Length", [("x-image-meta-location", url)],
                           content_type=None)


@clause("IMG-7", "HDR-3")
def test_size_beyond_4gib(api, v, suite, origin):
    """Sizes are 64-bit: a 5 GiB location image keeps its size in JSON and headers."""
    url, _ = origin.add(f"/{suite.prefix}/huge", b"only the size matters")
    size = 5 * 1024 ** 3
    image, _ = suite.create(v, "huge", clause="IMG-7", headers=[
        ("x-image-meta-location", url), ("x-image-meta-size", str(size))])
    v.check("IMG-7", image.get("size") == size, f"size {size} came back as {image.get('size')!r}")
    res = api.head(f"/images/{image['id']}")
    expect.require_status(v, "API-HEAD-1", res, 200, f"HEAD /images/{image['id']}")
    core, _, _ = expect.meta_headers(res)
    v.check("IMG-7", core.get("size") == str(size),
            f"x-image-meta-size is {core.get('size')!r}, not {size}")
