"""Errors and request ids across the v1 routes (§6 request id, §9).

Every kind of answer a v1 client meets — a list, a record, HEAD, a 204, a
405, a 400, a 404, a 409 — must carry a fresh `x-openstack-request-id`; error
answers name their cause, in the contract's JSON shape where the server
offers it (ERR-2, an extension for v1).
"""

import re
import uuid

import pytest

from conformance import expect
from conformance.context import V1

clause = pytest.mark.clause
writes = pytest.mark.writes
REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                        r"[0-9a-f]{12}\Z")
UNKNOWN = str(uuid.uuid4())


def request_id(v, res, what):
    value = expect.header(res, "x-openstack-request-id")
    v.check("REQ-1", value is not None and bool(REQUEST_ID.match(value)),
            f"{what}: x-openstack-request-id is {value!r}, not req-<uuid4>")
    return value


@clause("REQ-1")
def test_request_id_on_reads_and_errors(api, v):
    """Lists, 404s, 405s and 400s carry a fresh req-<uuid4> each."""
    seen = []
    for method, path, query in [("GET", "/images", {"limit": "1"}),
                                ("GET", "/images/detail", {"limit": "1"}),
                                ("GET", f"/images/{UNKNOWN}", None),
                                ("HEAD", f"/images/{UNKNOWN}", None),
                                ("HEAD", "/images/detail", None),
                                ("GET", "/images", {"limit": "-1"})]:
        res = api.request(method, V1 + path, query=query)
        seen.append(request_id(v, res, f"{method} {V1}{path} ({res.status})"))
    seen = [s for s in seen if s]
    v.check("REQ-1", len(seen) == len(set(seen)),
            f"request ids repeat across requests: {seen}")


@writes
@clause("REQ-1", "MEM-1")
def test_request_id_on_writes(api, v, suite):
    """201, HEAD 200, 204 and DELETE 200 answers carry a request id."""
    image, res = suite.create(v, "reqid")
    request_id(v, res, "POST (201)")
    path = f"{V1}/images/{image['id']}"
    request_id(v, api.head(path), f"HEAD {path}")
    member = api.put(f"{path}/members/{suite.prefix}-reqid-member")
    expect.status(v, "MEM-1", member, 204, f"PUT {path}/members/<T>")
    request_id(v, member, f"PUT {path}/members/<T> ({member.status})")
    request_id(v, api.delete(path), f"DELETE {path}")
    suite.ledger.deleted(image["id"])


@clause("ERR-1", "ERR-2", "ERR-3", "API-GET-3")
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_unknown_image_error(api, v, method):
    """An unknown id answers 404 (HEAD without a body), in the contract's error shape."""
    res = api.request(method, f"{V1}/images/{UNKNOWN}",
                      headers=[("x-image-meta-name", "x")] if method == "PUT" else [])
    expect.error(v, "API-GET-3", res, 404, f"{method} {V1}/images/<unknown uuid>")


@clause("ERR-2", "ERR-3", "API-LIST-10")
def test_method_not_allowed_error(api, v):
    """HEAD of the detail list answers 405 with Allow: GET; a GET-less body is fine."""
    res = api.head(V1 + "/images/detail")
    expect.error(v, "API-LIST-10", res, 405, f"HEAD {V1}/images/detail")
    allow = (expect.header(res, "Allow") or "").replace(" ", "").upper().split(",")
    v.check("API-LIST-10", allow == ["GET"],
            f"HEAD {V1}/images/detail: Allow is {expect.header(res, 'Allow')!r}, not GET")


@clause("ERR-1", "ERR-2", "ERR-3", "PAGE-1")
def test_bad_query_error(api, v):
    """A 400 on a list names its cause in the contract's error shape."""
    res = api.get(V1 + "/images", query={"limit": "-1"})
    expect.error(v, "PAGE-1", res, 400, f"GET {V1}/images?limit=-1", names="limit")
