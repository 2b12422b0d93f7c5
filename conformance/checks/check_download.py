"""Data download: GET and HEAD of one image, ETag, and images without data (§2, §10)."""

import os
import uuid

import pytest

from conformance import expect
from conformance.context import FORMATS, V1
from conformance.expect import md5

clause = pytest.mark.clause
writes = pytest.mark.writes
UNKNOWN_ID = str(uuid.uuid4())  # no server has handed it out
MALFORMED_IDS = ["not-an-id", "9223372036854775808", "%20"]



def check_download(v, suite, res, image, data, what, versioned=True):
    expect.require_status(v, "API-GET-1", res, 200, what)
    v.check("API-GET-1", res.body == data,
            f"{what}: {len(res.body)} bytes (MD5 {md5(res.body)}) differ from the "
            f"{len(data)} bytes uploaded (MD5 {md5(data)})")
    ctype = (expect.header(res, "Content-Type") or "").split(";")[0].strip().lower()
    v.check("API-GET-1", ctype == expect.OCTETS,
            f"{what}: Content-Type is {expect.header(res, 'Content-Type')!r}")
    v.check("API-GET-1", expect.header(res, "Content-Length") == str(len(data)),
            f"{what}: Content-Length is {expect.header(res, 'Content-Length')!r}, size is "
            f"{len(data)}")
    expect.metadata_headers(v, res, image, suite, what, versioned=versioned)
    etag = expect.etag_value(expect.header(res, "ETag"))
    v.check("API-GET-1", etag is not None and etag.lower() == md5(data),
            f"{what}: ETag {expect.header(res, 'ETag')!r} is not the checksum {md5(data)}")
    v.check("API-HEAD-4", "uri" in image and expect.header(res, "Location") == image.get("uri"),
            f"{what}: Location {expect.header(res, 'Location')!r} is not the uri "
            f"{image.get('uri')!r}")


@writes
@clause("API-GET-1", "HDR-1", "HDR-8", "VER-5")
@pytest.mark.parametrize("prefix", [V1, "/v1.1"])
def test_get_returns_the_data(api, v, suite, prefix):
    """GET answers the bytes uploaded with octet-stream, Content-Length and all HEAD headers."""
    data = os.urandom(150_000)
    res = api.post(f"{prefix}/images", headers=[("x-image-meta-name", suite.name("dl")),
                                                 suite.run_header, *FORMATS,
                                                 ("x-image-meta-property-kind", "download")],
                   body=data, content_type=expect.OCTETS)
    expect.require_status(v, "API-POST-1", res, 201, f"POST {prefix}/images with data")
    image = expect.image_of(v, "API-POST-1", res, "POST")
    suite.ledger.add(image.get("id"))
    got = api.get(f"{prefix}/images/{image['id']}")
    check_download(v, suite, got, image, data, f"GET {prefix}/images/{image['id']}")


@writes
@clause("API-GET-1", "API-POST-5")
def test_large_streamed_round_trip(api, v, suite):
    """Five MiB sent chunked come back byte for byte."""
    data = os.urandom(5 * 1024 * 1024 + 17)
    image, _ = suite.create(v, "big", body=data, chunked=True)
    v.check("API-POST-5", image.get("size") == len(data) and
            (image.get("checksum") or "").lower() == md5(data),
            f"size {image.get('size')!r}, checksum {image.get('checksum')!r}; sent {len(data)} "
            f"bytes with MD5 {md5(data)}")
    got = api.get(f"{V1}/images/{image['id']}")
    check_download(v, suite, got, image, data, f"GET {V1}/images/{image['id']} (5 MiB)")


@writes
@clause("API-HEAD-1", "API-HEAD-2", "API-HEAD-3", "API-HEAD-4")
def test_head_etag_and_location(api, v, suite):
    """HEAD of an image with data: empty body, ETag = checksum (quoted SHOULD), Location = uri."""
    data = b"etag me" * 100
    image, _ = suite.create(v, "etag", body=data)
    res = api.head(f"{V1}/images/{image['id']}")
    expect.require_status(v, "API-HEAD-1", res, 200, f"HEAD {V1}/images/{image['id']}")
    v.check("API-HEAD-1", res.body == b"", f"HEAD answered with a body: {res.body[:60]!r}")
    raw = expect.header(res, "ETag")
    v.check("API-HEAD-2", raw is not None and expect.etag_value(raw).lower() == md5(data),
            f"ETag is {raw!r}, the checksum is {md5(data)}")
    if raw is not None:
        v.check("API-HEAD-3", raw.strip() == f'"{md5(data)}"',
                f"ETag {raw!r} SHOULD be the quoted MD5 \"{md5(data)}\"")
    v.check("API-HEAD-4", "uri" in image and expect.header(res, "Location") == image.get("uri"),
            f"Location {expect.header(res, 'Location')!r} is not the uri {image.get('uri')!r}")
    expect.metadata_headers(v, res, image, suite, f"HEAD {V1}/images/{image['id']}")


def no_data(v, res, what):
    """API-GET-2 (404) and API-GET-4 (saying there is no data)."""
    if expect.error(v, "API-GET-2", res, 404, what):
        message, _ = expect.error_message(res)
        v.check("API-GET-4", "no data" in message.lower() or "has no" in message.lower(),
                f"{what}: the 404 must say the image has no data, got {message[:200]!r}")


@writes
@clause("API-GET-2", "API-GET-4", "ERR-1")
def test_queued_image_has_no_data(api, v, suite):
    """GET of a queued image answers 404 (not 500, not an empty 200)."""
    image, _ = suite.create(v, "nodata")
    no_data(v, api.get(f"{V1}/images/{image['id']}"), f"GET {V1}/images/{image['id']} (queued)")


@writes
@clause("API-GET-2", "API-GET-4")
def test_killed_image_has_no_data(api, v, suite):
    """GET of a killed image answers 404."""
    image = suite.killed_image(v)
    no_data(v, api.get(f"{V1}/images/{image['id']}"), f"GET {V1}/images/{image['id']} (killed)")


@clause("API-GET-3")
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("image_id", [UNKNOWN_ID] + MALFORMED_IDS,
                         ids=["unknown", "word", "integer-2^63", "space"])
def test_unknown_id(api, v, method, image_id):
    """GET and HEAD of an id that names no image, or is malformed, answer 404."""
    res = api.request(method, f"{V1}/images/{image_id}")
    expect.error(v, "API-GET-3", res, 404, f"{method} {V1}/images/{image_id}")


@clause("API-GET-1", "API-HEAD-1")
def test_existing_images_download(api, v, suite):
    """Images already on the server download with their recorded size and checksum."""
    res = api.get(V1 + "/images/detail", query={"status": "active", "size_max": str(8 << 20),
                                                "limit": "50", "is_public": "none"})
    expect.require_status(v, "API-LIST-3", res, 200, "GET /images/detail?status=active")
    # Data behind an external location may be gone, and its checksum may be
    # whatever a client said (real Glance v1 stored it, LOC-3): judge only data
    # the server says it stores itself (`store`, an extension: IMG-15).
    candidates = [i for i in expect.images_of(v, "API-LIST-3", res, "detail")
                  if i.get("checksum") and expect.is_int(i.get("size"))
                  and i.get("store") and i.get("store") not in ("http", "https")][:3]
    downloaded = 0
    for image in candidates:
        got = api.get(f"{V1}/images/{image['id']}")
        if got.status_int == 404:
            continue  # an active image without data (made through the registry)
        expect.require_status(v, "API-GET-1", got, 200, f"GET {V1}/images/{image['id']}")
        downloaded += 1
        v.check("API-GET-1", len(got.body) == image["size"],
                f"image {image['id']}: {len(got.body)} bytes, size says {image['size']}")
        v.check("API-GET-1", md5(got.body) == image["checksum"].lower(),
                f"image {image['id']}: MD5 {md5(got.body)}, checksum says {image['checksum']}")
    if not downloaded:
        pytest.skip("no downloadable active image is visible on the server (one whose "
                    "`store` says the server holds its data)")
