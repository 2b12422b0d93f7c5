"""Images API v2 image data: upload (`PUT …/file`) and download (`GET …/file`, Range) (§4).

Uploads name `disk_format` and `container_format` (Glance 33 refuses data
without them; doing without is V2-FILE-5).  A Range is never sent for an
image without data: Glance 33 breaks the connection there (a crash, not an
answer the suite could judge).
"""

import hashlib

import pytest

from conformance import expect, expect_v2

clause = pytest.mark.clause
pytestmark = pytest.mark.writes
DATA = bytes(range(256)) * 40 + b"tail"  # 10244 bytes


@pytest.fixture(scope="module")
def stored(suite):
    """An active image holding DATA."""
    from conformance.verdict import Verifier
    return suite.v2.active(Verifier(suite.api.log), "download", DATA)


@clause("V2-FILE-1", "V2-SCH-6")
def test_upload(api, v, v2):
    """PUT …/file answers 204; the image is active with size, MD5, hashes, virtual_size."""
    img, _ = v2.create(v, "upload", formats=True)
    res = v2.upload(img["id"], DATA)
    expect.require_status(v, "V2-FILE-1", res, 204, "PUT …/file")
    after = expect_v2.image_of(v, "V2-FILE-1", api.get(v2.path(img["id"])), "GET after upload",
                               v2)
    algo = after.get("os_hash_algo")
    digest = hashlib.new(algo, DATA).hexdigest() if algo in hashlib.algorithms_available \
        else None
    want = {"status": "active", "size": len(DATA), "checksum": expect.md5(DATA),
            "virtual_size": len(DATA)}
    wrong = {k: after.get(k) for k, x in want.items() if after.get(k) != x}
    v.check("V2-FILE-1", not wrong, f"after the upload: {wrong}, expected {want}")
    v.check("V2-FILE-1", digest is not None and after.get("os_hash_value") == digest,
            f"os_hash_algo {algo!r} / os_hash_value {after.get('os_hash_value')!r} are not a "
            "hashlib algorithm and its digest of the data")


@clause("V2-FILE-2", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("ctype", ["text/plain", "application/json",
                                   "application/octet-stream-x"])
def test_upload_other_content_type_is_415(api, v, v2, ctype):
    """Another Content-Type answers 415 and the image stays queued without data."""
    img, _ = v2.create(v, "upload-415", formats=True)
    res = v2.upload(img["id"], b"data", content_type=ctype)
    expect.error(v, "V2-FILE-2", res, 415, f"PUT …/file as {ctype}")
    after = v2.read(img["id"]) or {}
    v.check("V2-FILE-2", after.get("status") == "queued" and after.get("size") is None,
            f"after a 415 the image is {after.get('status')!r} with size {after.get('size')!r}")


@clause("V2-FILE-3", "ERR-1", "ERR-2", "ERR-3")
def test_upload_to_active_image_is_409(api, v, v2, stored):
    """Data for an active image answers 409 and the data stays."""
    res = v2.upload(stored["id"], b"other data")
    expect.error(v, "V2-FILE-3", res, 409, "PUT …/file of an active image")
    res = api.get(v2.path(stored["id"], "/file"))
    v.check("V2-FILE-3", res.status_int == 200 and res.body == DATA,
            "the data of an active image changed after a refused upload")


@clause("V2-FILE-4")
def test_chunked_and_empty_uploads(api, v, v2):
    """A chunked body is stored whole; an empty one makes a 0-byte active image."""
    img, _ = v2.create(v, "chunked", formats=True)
    res = v2.upload(img["id"], DATA, chunked=True)
    expect.require_status(v, "V2-FILE-4", res, 204, "PUT …/file chunked")
    after = v2.read(img["id"]) or {}
    v.check("V2-FILE-4", after.get("size") == len(DATA) and after.get("checksum") ==
            expect.md5(DATA), f"a chunked upload of {len(DATA)} bytes stored size "
                              f"{after.get('size')!r}, checksum {after.get('checksum')!r}")
    img, _ = v2.create(v, "empty", formats=True)
    res = v2.upload(img["id"], b"")
    expect.require_status(v, "V2-FILE-4", res, 204, "PUT …/file with an empty body")
    after = v2.read(img["id"]) or {}
    v.check("V2-FILE-4", after.get("status") == "active" and after.get("size") == 0
            and after.get("checksum") == expect.EMPTY_MD5,
            f"an empty upload left {after.get('status')!r}, size {after.get('size')!r}, "
            f"checksum {after.get('checksum')!r}")


@clause("V2-FILE-5")
def test_upload_without_formats(api, v, v2):
    """An image without formats accepts data."""
    img, _ = v2.create(v, "no-formats")
    res = v2.upload(img["id"], b"formatless")
    v.check("V2-FILE-5", res.status_int == 204,
            f"PUT …/file to an image without formats answered {res.status}, not 204")


@clause("V2-FILE-6")
def test_size_header_is_a_hint(api, v, v2):
    """X-OpenStack-Image-Size differing from the data is not an error."""
    img, _ = v2.create(v, "hint", formats=True)
    res = v2.upload(img["id"], b"12345", headers=[("X-OpenStack-Image-Size", "99")])
    v.check("V2-FILE-6", res.status_int == 204,
            f"PUT …/file with X-OpenStack-Image-Size 99 for 5 bytes answered {res.status}")


@clause("V2-DATA-1")
def test_download(api, v, v2, stored):
    """GET …/file: 200, exactly application/octet-stream, Content-Length, Content-MD5."""
    res = api.get(v2.path(stored["id"], "/file"))
    expect.require_status(v, "V2-DATA-1", res, 200, "GET …/file")
    v.check("V2-DATA-1", expect.header(res, "Content-Type") == "application/octet-stream",
            f"Content-Type is {expect.header(res, 'Content-Type')!r}, not exactly "
            "application/octet-stream (glanceclient refuses anything else)")
    v.check("V2-DATA-1", expect.header(res, "Content-Length") == str(len(DATA)),
            f"Content-Length is {expect.header(res, 'Content-Length')!r}, not {len(DATA)}")
    v.check("V2-DATA-1", res.body == DATA, f"the body ({len(res.body)} bytes) is not the data")
    v.check("V2-DATA-1", expect.header(res, "Content-MD5") == expect.md5(DATA),
            f"Content-MD5 is {expect.header(res, 'Content-MD5')!r}, not the checksum")


@clause("V2-DATA-2")
def test_no_data_is_204(api, v, v2):
    """GET …/file of a queued image answers 204 with an empty body."""
    img, _ = v2.create(v, "no-data", formats=True)
    res = api.get(v2.path(img["id"], "/file"))
    v.check("V2-DATA-2", res.status_int == 204 and res.body == b"",
            f"GET …/file of a queued image answered {res.status} with {len(res.body)} bytes")


RANGES = [("bytes=0-9", 0, 9), ("bytes=100-199", 100, 199), ("bytes=-4", len(DATA) - 4,
                                                              len(DATA) - 1),
          ("bytes=10240-", 10240, len(DATA) - 1), ("bytes=0-99999", 0, len(DATA) - 1)]


@clause("V2-DATA-3")
@pytest.mark.parametrize("spec, first, last", RANGES, ids=[r[0] for r in RANGES])
def test_range(api, v, v2, stored, spec, first, last):
    """One satisfiable range answers 206 with Content-Range and those bytes."""
    res = api.get(v2.path(stored["id"], "/file"), headers=[("Range", spec)])
    expect.require_status(v, "V2-DATA-3", res, 206, f"GET …/file with Range: {spec}")
    want = f"bytes {first}-{last}/{len(DATA)}"
    v.check("V2-DATA-3", expect.header(res, "Content-Range") == want,
            f"Range: {spec}: Content-Range is {expect.header(res, 'Content-Range')!r}, not "
            f"{want!r}")
    v.check("V2-DATA-3", res.body == DATA[first:last + 1],
            f"Range: {spec}: {len(res.body)} bytes, not bytes {first}-{last}")
    v.check("V2-DATA-3", expect.header(res, "Content-MD5") == expect.md5(DATA),
            f"Range: {spec}: Content-MD5 is {expect.header(res, 'Content-MD5')!r}, not the "
            "whole image's")


@clause("V2-DATA-4", "V2-DATA-5")
@pytest.mark.parametrize("spec", ["bytes=20000-20010", f"bytes={len(DATA)}-"])
def test_unsatisfiable_range(api, v, v2, stored, spec):
    """An unsatisfiable range answers 416 (with Content-Range: bytes */size: extension)."""
    res = api.get(v2.path(stored["id"], "/file"), headers=[("Range", spec)])
    v.require("V2-DATA-4", res.status_int == 416,
              f"Range: {spec} of {len(DATA)} bytes answered {res.status}, not 416")
    v.check("V2-DATA-5", expect.header(res, "Content-Range") == f"bytes */{len(DATA)}",
            f"the 416 carries Content-Range {expect.header(res, 'Content-Range')!r}")


@clause("V2-DATA-6")
def test_several_ranges(api, v, v2, stored):
    """Several ranges answer 200 with the whole image."""
    res = api.get(v2.path(stored["id"], "/file"), headers=[("Range", "bytes=0-1,5-6")])
    v.check("V2-DATA-6", res.status_int == 200 and res.body == DATA,
            f"Range: bytes=0-1,5-6 answered {res.status} with {len(res.body)} bytes")
