"""External sources: `x-image-meta-location` and `x-glance-api-copy-from` (§2 POST 3–4, §10).

The suite serves known bytes from its own origin (`conformance.origin`);
checks that need the server to fetch them use the `origin` fixture, which
skips, with the reason, when the server cannot or may not reach it.
"""

import os
import time

import pytest

from conformance import expect
from conformance.checks.check_create import check_created, leftovers, refused_without_record
from conformance.context import FORMATS, V1
from conformance.expect import md5

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
COPY_WAIT = 30.0
COPY_START = 10.0  # a background copy that has not asked the origin by then never will


def wait_for_status(api, image_id, wanted, origin=None, path=None, seconds=COPY_WAIT):
    """Poll HEAD until the image's status is one of `wanted`; return (status, core).

    With `origin` and `path`, give up early when the server has not fetched
    `path` from the origin within COPY_START seconds: no copy is under way.
    """
    started = time.monotonic()
    while True:
        res = api.head(f"{V1}/images/{image_id}")
        core, _, _ = expect.meta_headers(res)
        waited = time.monotonic() - started
        idle = origin is not None and waited > COPY_START and not [
            h for h in origin.hits_for(path) if h[0] == "GET"]
        if core.get("status") in wanted or waited > seconds or idle:
            return core.get("status"), core
        time.sleep(0.2)


# -- locations -------------------------------------------------------------------
@clause("LOC-1", "API-POST-12")
@pytest.mark.parametrize("url", ["file:///etc/passwd", "swift://user:key@host/c/o",
                                 "ftp://127.0.0.1/image"])
def test_location_scheme_refused(api, v, suite, url):
    """A location that is not http/https answers 400 and leaves no record."""
    refused_without_record(api, v, suite, "LOC-1", f"POST with location {url}",
                           [("x-image-meta-location", url), ("x-image-meta-size", "10"),
                            *FORMATS], content_type=None)


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
    got = api.get(f"{V1}/images/{image['id']}")
    expect.require_status(v, "LOC-4", got, 200, f"GET {V1}/images/{image['id']} (http location)")
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


@clause("LOC-5")
def test_location_without_any_size(api, v, suite, origin):
    """When neither the client nor the origin gives a size → 400, no record."""
    url, _ = origin.add(f"/{suite.prefix}/nolength", b"no length here", with_length=False)
    refused_without_record(api, v, suite, "LOC-5", "POST with a location whose origin sends "
                           "no Content-Length", [("x-image-meta-location", url), *FORMATS],
                           content_type=None)


@clause("LOC-6")
@pytest.mark.parametrize("header", ["x-image-meta-location", "x-glance-api-copy-from"])
def test_metadata_address_refused(api, v, suite, header):
    """A location or copy-from naming the metadata address answers 400, no record."""
    refused_without_record(api, v, suite, "LOC-6", f"POST with {header}: {METADATA_URL}",
                           [(header, METADATA_URL), ("x-image-meta-size", "10"), *FORMATS],
                           content_type=None)


@clause("API-POST-15")
def test_location_without_formats(api, v, suite, origin):
    """A location without disk_format and container_format is accepted."""
    url, _ = origin.add(f"/{suite.prefix}/nofmt", b"no formats here")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("nofmt")),
                                            suite.run_header, ("x-image-meta-location", url)])
    if res.status_int == 201:
        suite.ledger.add(res.json["image"].get("id"))
    v.check("API-POST-15", res.status_int == 201,
            f"a location without formats answered {res.status}")


@clause("IMG-7", "HDR-3")
def test_size_beyond_4gib(api, v, suite, origin):
    """Sizes are 64-bit: a 5 GiB location image keeps its size in JSON and headers."""
    size = 5 * 1024 ** 3
    url, _ = origin.add(f"/{suite.prefix}/huge", b"only the size matters", with_length=size)
    image, _ = suite.create(v, "huge", clause="IMG-7", headers=[
        ("x-image-meta-location", url), ("x-image-meta-size", str(size))])
    v.check("IMG-7", image.get("size") == size, f"size {size} came back as {image.get('size')!r}")
    res = api.head(f"{V1}/images/{image['id']}")
    expect.require_status(v, "API-HEAD-1", res, 200, f"HEAD {V1}/images/{image['id']}")
    core, _, _ = expect.meta_headers(res)
    v.check("IMG-7", core.get("size") == str(size),
            f"x-image-meta-size is {core.get('size')!r}, not {size}")


# -- copy-from --------------------------------------------------------------------
@clause("COPY-1")
@pytest.mark.parametrize("url", ["file:///etc/passwd", "swift+config://ref1/glance/x"])
def test_copy_from_scheme_refused(api, v, suite, url):
    """copy-from with a scheme other than http(s) → 400 "External sources are not supported"."""
    refused_without_record(api, v, suite, "COPY-1", f"POST with copy-from {url}",
                           [("x-glance-api-copy-from", url), *FORMATS], content_type=None,
                           names=f"External sources are not supported: '{url}'")


@clause("COPY-2")
def test_copy_from_missing(api, v, suite, origin):
    """An origin answering 404 → 404 "HTTP datastore could not find image at URI.", no record."""
    url = f"http://{origin.host}:{origin.port}/{suite.prefix}/absent"
    refused_without_record(api, v, suite, "COPY-2", "POST with copy-from of a missing file",
                           [("x-glance-api-copy-from", url), *FORMATS], content_type=None,
                           names="HTTP datastore could not find image at URI.", status=404)


@clause("COPY-4", "COPY-7")
@pytest.mark.parametrize("other", ["body", "location"])
def test_copy_from_with_another_source(api, v, suite, origin, other):
    """copy-from with a body or a location → 400, no record."""
    url, _ = origin.add(f"/{suite.prefix}/two-sources", b"two sources")
    headers = [("x-glance-api-copy-from", url), *FORMATS]
    if other == "location":
        headers.append(("x-image-meta-location", url))
    several_sources(api, v, suite, f"POST with copy-from and a {other}", headers,
                    body=b"a body" if other == "body" else None)


@clause("COPY-4", "COPY-7")
def test_body_with_location(api, v, suite):
    """A body together with x-image-meta-location answers 400 and leaves no record."""
    several_sources(api, v, suite, "POST with data and a location",
                    [("x-image-meta-location", "http://127.0.0.1:9/data"), *FORMATS],
                    body=b"some data")


def several_sources(api, v, suite, what, headers, body=None):
    """COPY-4 (400) and COPY-7 (no record left)."""
    name = suite.name("sources")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header,
                                            *headers],
                   body=body, content_type=expect.OCTETS if body is not None else None)
    expect.error(v, "COPY-4", res, 400, what)
    left = leftovers(api, suite, name)
    v.check("COPY-7", not left, f"{what}: the refusal left records {[i.get('id') for i in left]}")


def copy_capability(suite, res):
    caps = suite.capabilities
    if caps.offered("copy-from") is None:
        if res.status_int == 201:
            caps.record("copy-from", True, "a copy-from of the suite's origin was accepted")
        elif res.status_int == 400 and "external sources are not supported" in \
                res.body.decode("utf-8", "replace").lower():
            caps.record("copy-from", False, f"the server refuses copy-from of http(s) URLs: "
                                            f"{res.status} "
                                            f"{res.body.decode('utf-8', 'replace')[:160]}")


@clause("COPY-3", "IMG-11")
def test_copy_from_copies(api, v, suite, origin):
    """copy-from: 201 at once, size from the origin, then active with the origin's bytes."""
    data = os.urandom(300_000)
    url, digest = origin.add(f"/{suite.prefix}/copy", data)
    name = suite.name("copy")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header,
                                            ("x-glance-api-copy-from", url), *FORMATS])
    copy_capability(suite, res)
    suite.capabilities.need("copy-from")
    expect.require_status(v, "COPY-3", res, 201, "POST with copy-from")
    image = expect.image_of(v, "COPY-3", res, "POST with copy-from")
    suite.ledger.add(image.get("id"))
    v.check("COPY-3", image.get("status") in ("queued", "saving", "active")
            and image.get("size") == len(data),
            f"copy-from answered status {image.get('status')!r}, size {image.get('size')!r} "
            f"(the origin gives Content-Length {len(data)})")
    status, core = wait_for_status(api, image["id"], ("active", "killed"), origin,
                                   f"/{suite.prefix}/copy")
    v.require("COPY-3", status == "active",
              f"{COPY_WAIT:.0f} s after copy-from the image is {status!r}, not active")
    v.check("COPY-3", (core.get("checksum") or "").lower() == digest,
            f"checksum {core.get('checksum')!r} is not the origin's MD5 {digest}")
    got = api.get(f"{V1}/images/{image['id']}")
    v.check("COPY-3", got.status_int == 200 and got.body == data,
            f"GET of the copied image answered {got.status} with {len(got.body)} bytes")


@clause("COPY-5", "COPY-8")
@pytest.mark.parametrize("header", ["size", "checksum"])
def test_copy_from_mismatch_kills(api, v, suite, origin, header):
    """A copy whose data differs from the sent size or checksum ends killed."""
    data = os.urandom(20_000)
    url, _ = origin.add(f"/{suite.prefix}/copy-{header}", data)
    value = str(len(data) + 1) if header == "size" else md5(b"other bytes")
    res = api.post(V1 + "/images", headers=[
        ("x-image-meta-name", suite.name("copymm")), suite.run_header,
        ("x-glance-api-copy-from", url), (f"x-image-meta-{header}", value), *FORMATS])
    copy_capability(suite, res)
    suite.capabilities.need("copy-from")
    if res.status_int == 400:
        return  # refused before copying (e.g. the size differs from Content-Length): fine
    expect.require_status(v, "COPY-5", res, (201, 400), f"POST with copy-from and a wrong {header}")
    image = expect.image_of(v, "COPY-5", res, "POST with copy-from")
    suite.ledger.add(image.get("id"))
    status, _ = wait_for_status(api, image["id"], ("active", "killed"), origin,
                                f"/{suite.prefix}/copy-{header}")
    v.check("COPY-8" if header == "size" else "COPY-5", status == "killed",
            f"a copy with a wrong {header} ended {status!r}, not killed")


@clause("COPY-6")
def test_copy_from_on_put(api, v, suite, origin):
    """copy-from on PUT of a queued image copies as on POST."""
    data = os.urandom(10_000)
    url, digest = origin.add(f"/{suite.prefix}/copy-put", data)
    image, _ = suite.create(v, "copyput", headers=list(FORMATS))
    res = api.put(f"{V1}/images/{image['id']}", headers=[("x-glance-api-copy-from", url)])
    if res.status_int == 200 and suite.capabilities.offered("copy-from") is None:
        suite.capabilities.record("copy-from", True, "a copy-from on PUT was accepted")
    copy_capability(suite, res)
    suite.capabilities.need("copy-from")
    expect.require_status(v, "COPY-6", res, 200, "PUT with copy-from on a queued image")
    status, core = wait_for_status(api, image["id"], ("active", "killed"), origin,
                                   f"/{suite.prefix}/copy-put")
    v.check("COPY-6", status == "active" and (core.get("checksum") or "").lower() == digest,
            f"after PUT copy-from the image is {status!r}, checksum {core.get('checksum')!r}")
    left = leftovers(api, suite, image.get("name"))
    v.check("COPY-6", len(left) == 1, f"PUT copy-from made other records: {left}")
