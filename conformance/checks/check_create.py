"""Create and upload: POST /v1/images with metadata, data, chunked data or a location (§2, §10)."""

import os
import time
import uuid

import pytest

from conformance import expect
from conformance.context import FORMATS, V1
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
                           content_type=OCTETS, names=None, chunked=False, status=400,
                           record_clause=None):
    """POST that must be refused: judge the answer under `cid`, then that no record
    was left (under `record_clause`, by default `cid` itself)."""
    name = suite.name("refused")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header]
                   + list(headers), body=body, content_type=content_type, chunked=chunked)
    expect.error(v, cid, res, status, what, names=names)
    left = leftovers(api, suite, name)
    v.check(record_clause or cid, not left,
            f"{what}: the refusal must leave no record, found {[i.get('id') for i in left]}")
    return res


def check_created(v, suite, res, image, what, prefix=V1):
    """API-POST-1 and the record's shape; `Location` names `/v1` under any versioned path."""
    expect.full_image(v, image, suite, what, versioned=bool(prefix))
    expect.image_url(v, "VER-8" if not prefix else "API-POST-1", res, image.get("id"), suite,
                     what, V1 if prefix else "")
    if "uri" in image:
        v.check("IMG-3", expect.header(res, "Location") == image.get("uri"),
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
    expect.not_ahead(v, res, image, what, suite)
    if image.get("status") == "queued":  # uploads pass through status transitions
        created, updated = image.get("created_at") or "", image.get("updated_at") or ""
        v.check("IMG-6", created <= updated and updated[:19] <= _plus_one(created),
                f"{what}: updated_at {updated!r} is not within a second after created_at "
                f"{created!r} at creation")
        v.check("IMG-12", updated == created,
                f"{what}: updated_at {updated!r} differs from created_at {created!r}")


def _plus_one(stamp):
    """`stamp` (…:SS.ffffff) plus one second, to whole seconds."""
    import datetime
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:19]
    return (moment + datetime.timedelta(seconds=1)).isoformat()[:19]


@clause("API-POST-1", "API-POST-9", "IMG-1", "IMG-6", "IMG-8", "IMG-10", "IMG-11", "IMG-12",
        "IMG-13")
@pytest.mark.parametrize("prefix", [V1, "/v1.0", ""], ids=["v1", "v1.0", "unversioned"])
def test_create_queued(api, v, suite, prefix):
    """POST without data or location makes a queued record of size 0, 201 with Location."""
    res = api.post(f"{prefix}/images", headers=[("x-image-meta-name", suite.name("q")),
                                                 suite.run_header])
    if not prefix:
        v.require("VER-8", res.status_int == 201, f"POST /images answered {res.status}")
    expect.require_status(v, "API-POST-1", res, 201, f"POST {prefix}/images")
    image = expect.image_of(v, "API-POST-1", res, f"POST {prefix}/images")
    suite.ledger.add(image.get("id"))
    check_created(v, suite, res, image, f"POST {prefix}/images", prefix=prefix)
    expect.image_id(v, image.get("id"), f"POST {prefix}/images")
    v.check("API-POST-9", image.get("status") == "queued" and image.get("size") == 0,
            f"expected queued, size 0; got {image.get('status')!r}, size {image.get('size')!r}")
    v.check("IMG-11", image.get("checksum") is None,
            f"checksum must be null until data is stored, got {image.get('checksum')!r}")
    v.check("IMG-8", image.get("is_public") is False,
            f"is_public defaults to false, got {image.get('is_public')!r}")


@clause("API-POST-17")
def test_size_ignored_without_data(api, v, suite):
    """Without a body or location, x-image-meta-size is ignored."""
    image, _ = suite.create(v, "nodata", headers=[("x-image-meta-size", "12345")],
                            clause="API-POST-17")
    v.check("API-POST-17", image.get("status") == "queued" and image.get("size") == 0,
            f"expected queued, size 0; got {image.get('status')!r}, size {image.get('size')!r}")


@clause("API-POST-4")
def test_store_ignored_without_data(api, v, suite):
    """Without data, x-image-meta-store (even an unknown one) is ignored."""
    image, _ = suite.create(v, "nostore", headers=[("x-image-meta-store", "no-such-store")],
                            clause="API-POST-4")
    v.check("API-POST-4", image.get("status") == "queued",
            f"expected queued, got {image.get('status')!r}")


@clause("IMG-10")
def test_ids_are_fresh_uuids(api, v, suite):
    """Ids the server assigns are distinct lower-case UUIDs."""
    first, _ = suite.create(v, "id1")
    second, _ = suite.create(v, "id2")
    v.check("IMG-10", first["id"] != second["id"], f"two images got the id {first['id']!r}")


@clause("API-POST-1", "API-POST-5", "IMG-11", "IMG-14", "IMG-17")
def test_upload(api, v, suite):
    """POST with data → active with the true size and MD5 checksum."""
    data = os.urandom(100_000)
    image, res = suite.create(v, "up", body=data)
    check_created(v, suite, res, image, "POST with 100000 bytes")
    v.check("API-POST-5", image.get("status") == "active",
            f"status after upload is {image.get('status')!r}, not active")
    v.check("API-POST-5", image.get("size") == len(data),
            f"size is {image.get('size')!r}, {len(data)} bytes were sent")
    v.check("API-POST-5", (image.get("checksum") or "").lower() == md5(data),
            f"checksum is {image.get('checksum')!r}, the MD5 is {md5(data)}")
    algo, value = image.get("os_hash_algo"), image.get("os_hash_value")
    import hashlib
    good = isinstance(algo, str) and algo in hashlib.algorithms_available \
        and value == hashlib.new(algo, data).hexdigest()
    v.check("IMG-17", good and image.get("virtual_size") == len(data),
            f"after a raw upload: virtual_size {image.get('virtual_size')!r} (size "
            f"{len(data)}), os_hash_algo {algo!r}, os_hash_value {value!r}")
    if suite.is_admin:
        v.check("IMG-14", isinstance(image.get("location"), str) and image.get("location"),
                f"location is {image.get('location')!r} after a successful upload (admin)")


@clause("API-POST-15")
def test_upload_without_formats(api, v, suite):
    """An upload without disk_format and container_format is accepted (founding docs)."""
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("nofmt")),
                                            suite.run_header],
                   body=b"no formats", content_type=OCTETS)
    if res.status_int == 201:
        suite.ledger.add(res.json["image"].get("id"))
    v.check("API-POST-15", res.status_int == 201,
            f"an upload without formats answered {res.status}")


@clause("API-POST-4")
def test_explicit_store(api, v, suite):
    """x-image-meta-store naming the default backend picks it."""
    first, _ = suite.create(v, "store", body=b"abc")
    store = first.get("store")
    v.require("API-POST-4", isinstance(store, str) and store, f"store is {store!r} after upload")
    image, _ = suite.create(v, "store2", body=b"abcd", headers=[("x-image-meta-store", store)],
                            clause="API-POST-4")
    v.check("API-POST-4", image.get("store") == store and image.get("status") == "active",
            f"x-image-meta-store: {store} gave store {image.get('store')!r}, "
            f"status {image.get('status')!r}")


@clause("API-POST-4")
def test_unknown_store(api, v, suite):
    """An unknown x-image-meta-store with data answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "API-POST-4", "POST with x-image-meta-store: nowhere",
                           [("x-image-meta-store", "nowhere"), *FORMATS], body=b"some data")


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


@clause("API-POST-3", "API-POST-19")
@pytest.mark.parametrize("ctype", ["text/plain", "application/json"])
def test_body_needs_octet_stream(api, v, suite, ctype):
    """A body with another Content-Type answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "API-POST-3", f"POST with data as {ctype}",
                           list(FORMATS), body=b"some data", content_type=ctype,
                           record_clause="API-POST-19")


@clause("API-POST-6")
@pytest.mark.parametrize("declared", [11, 9])
def test_size_mismatch_kills(api, v, suite, declared):
    """x-image-meta-size differing from the bytes sent → 400 and a killed record."""
    name = suite.name("sizemm")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header,
                                            ("x-image-meta-size", str(declared)), *FORMATS],
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
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header,
                                            ("x-image-meta-checksum", md5(b"other")), *FORMATS],
                   body=b"0123456789", content_type=OCTETS)
    expect.error(v, "API-POST-7", res, 400, "POST with a wrong x-image-meta-checksum")
    found = leftovers(api, suite, name)
    v.check("API-POST-7", len(found) == 1 and found[0].get("status") == "killed",
            f"a checksum mismatch must leave one killed record, found "
            f"{[(i.get('id'), i.get('status')) for i in found]}")


@clause("API-POST-18")
def test_checksum_case_insensitive(api, v, suite):
    """A matching checksum in upper case is accepted."""
    data = b"case matters not"
    image, _ = suite.create(v, "sumcase", body=data, clause="API-POST-18",
                            headers=[("x-image-meta-checksum", md5(data).upper())])
    v.check("API-POST-18", image.get("status") == "active",
            f"upper-case matching checksum gave status {image.get('status')!r}")


@clause("API-POST-2")
def test_server_fields_ignored(api, v, suite):
    """A client's status is not stored."""
    image, _ = suite.create(v, "forged", headers=[("x-image-meta-status", "active")],
                            clause="API-POST-2")
    v.check("API-POST-2", image.get("status") == "queued",
            f"status is {image.get('status')!r}: the client's 'active' was stored")


@clause("API-POST-17")
def test_more_server_fields_ignored(api, v, suite):
    """Client values for timestamps, virtual_size and (without data) checksum are ignored."""
    sent = {"checksum": md5(b"forged"), "created_at": "2001-02-03T04:05:06",
            "updated_at": "2001-02-03T04:05:06", "deleted_at": "2001-02-03T04:05:06",
            "virtual_size": "77", "deleted": "True"}
    image, _ = suite.create(v, "forged", headers=[(f"x-image-meta-{k}", x)
                                                  for k, x in sent.items()],
                            clause="API-POST-17")
    v.check("API-POST-17", image.get("checksum") is None,
            f"checksum {image.get('checksum')!r} was stored without data")
    for f in ("created_at", "updated_at", "deleted_at"):
        v.check("API-POST-17", not str(image.get(f) or "").startswith("2001-02-03"),
                f"{f} {image.get(f)!r} was stored as given")
    v.check("API-POST-17", image.get("virtual_size") is None,
            f"virtual_size is {image.get('virtual_size')!r}: the client's 77 was stored")
    v.check("API-POST-17", image.get("deleted") is False, f"deleted is {image.get('deleted')!r}")


@clause("API-POST-14", "API-POST-2")
def test_owner(api, v, suite):
    """An admin's x-image-meta-owner is stored; anyone else's is ignored."""
    plain, _ = suite.create(v, "plain")
    wanted = suite.prefix + "-chosen-owner"
    image, _ = suite.create(v, "owned", headers=[("x-image-meta-owner", wanted)],
                            clause="API-POST-2")
    if suite.is_admin:
        v.check("API-POST-14", image.get("owner") == wanted,
                f"an admin's owner {wanted!r} came back as {image.get('owner')!r}")
    elif suite.is_admin is False:
        v.check("API-POST-2", image.get("owner") == plain.get("owner"),
                f"a non-admin's owner {wanted!r} was stored: {image.get('owner')!r}")


@clause("API-POST-16", "VAL-10")
@pytest.mark.parametrize("kind", ["machine", "kernel", "ramdisk", "raw"])
def test_type_field(api, v, suite, kind):
    """x-image-meta-type is stored and shown (founding docs)."""
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("typed")),
                                            suite.run_header, ("x-image-meta-type", kind)])
    if res.status_int == 201:
        suite.ledger.add(res.json["image"].get("id"))
    v.require("API-POST-16", res.status_int == 201,
              f"POST with x-image-meta-type: {kind} answered {res.status}")
    image = expect.image_of(v, "API-POST-16", res, "POST")
    v.check("API-POST-16", image.get("type") == kind,
            f"type {kind} came back as {image.get('type')!r}")


@clause("API-POST-11")
def test_client_chosen_id(api, v, suite):
    """A client may choose a UUID id; a taken id answers 409, also after deletion."""
    chosen = str(uuid.uuid4())
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("chosen")),
                                            suite.run_header, ("x-image-meta-id", chosen)])
    expect.require_status(v, "API-POST-11", res, 201, f"POST with x-image-meta-id {chosen}")
    image = expect.image_of(v, "API-POST-11", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("API-POST-11", image.get("id") == chosen,
            f"asked for id {chosen}, got {image.get('id')!r}")
    again = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("dup")),
                                              suite.run_header, ("x-image-meta-id", chosen)])
    expect.error(v, "API-POST-11", again, 409, f"POST with taken x-image-meta-id {chosen}")
    expect.require_status(v, "API-DEL-1", api.delete(f"{V1}/images/{chosen}"), 200,
                          f"DELETE {V1}/images/{chosen}")
    suite.ledger.deleted(chosen)
    reused = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("reuse")),
                                               suite.run_header, ("x-image-meta-id", chosen)])
    expect.error(v, "API-POST-11", reused, 409,
                 f"POST with the id of deleted image {chosen} (ids are never reused)")


@clause("API-POST-13")
def test_disconnected_upload_is_killed(api, v, suite):
    """An upload whose client goes away is killed within seconds and keeps no data."""
    name = suite.name("disconnect")
    res = suite.disconnected_upload([("x-image-meta-name", name), suite.run_header, *FORMATS],
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
