"""Every route × caller × image visibility, in the token and trusted-proxy modes.

The expected answer of each cell is computed from the contract's rules
(CONTRACT §2 "Access", §8), not written out by hand:
- anonymous callers: 401 in token mode; in trusted-proxy mode they may read
  public images and change nothing (401);
- a private image exists only for its owner and admins (others: 404);
- only the owner or an admin may change or delete (others: 403 on a public
  image they can see);
- default lists show public images plus the caller's own private ones, even
  for admins; `location` is shown only to admins.
"""

import itertools

import pytest

from tests.security.conftest import CALLERS

ROUTES = ("index", "detail", "head", "get", "put", "delete")
VISIBILITIES = ("public", "private")


def make_image(deployment, is_public):
    res = deployment.request("owner", "POST", "/images", body=b"secret-bytes", headers={
        "Content-Type": "application/octet-stream", "x-image-meta-name": "img",
        "x-image-meta-is_public": str(is_public).lower()})
    assert res.status_int == 201, res.body
    return res.json["image"]


def may_read(caller, visibility):
    return visibility == "public" or caller in ("owner", "admin")


def expected_status(mode, route, caller, visibility):
    if caller == "anonymous" and (mode == "token" or route in ("put", "delete")):
        return 401
    if route in ("index", "detail"):
        return 200
    if not may_read(caller, visibility):
        return 404
    if route in ("put", "delete") and caller not in ("owner", "admin"):
        return 403
    return 200


def expected_listed(caller, visibility):
    return visibility == "public" or caller == "owner"


def call(deployment, route, caller, image):
    path = f"/images/{image['id']}"
    if route == "index":
        return deployment.request(caller, "GET", "/images")
    if route == "detail":
        return deployment.request(caller, "GET", "/images/detail")
    if route == "head":
        return deployment.request(caller, "HEAD", path)
    if route == "get":
        return deployment.request(caller, "GET", path)
    if route == "put":
        return deployment.request(caller, "PUT", path, headers={"x-image-meta-name": "new"})
    return deployment.request(caller, "DELETE", path)


@pytest.mark.parametrize("route,caller,visibility",
                         list(itertools.product(ROUTES, CALLERS, VISIBILITIES)))
def test_cell(deployment, route, caller, visibility):
    image = make_image(deployment, visibility == "public")
    res = call(deployment, route, caller, image)
    assert res.status_int == expected_status(deployment.mode, route, caller, visibility), \
        res.body[:300]
    if res.status_int >= 400 and route != "head":
        assert b"secret-bytes" not in res.body and b'"img"' not in res.body
    if route in ("index", "detail") and res.status_int == 200:
        listed = [entry["id"] for entry in res.json["images"]]
        assert (image["id"] in listed) == expected_listed(caller, visibility)
    if route == "get" and res.status_int == 200:
        assert res.body == b"secret-bytes"
    if route in ("head", "get") and res.status_int == 200:
        assert ("x-image-meta-location" in res.headers) == (caller == "admin")
    if route == "detail" and res.status_int == 200:
        for entry in res.json["images"]:
            assert ("location" in entry) == (caller == "admin")


@pytest.mark.parametrize("caller", CALLERS)
def test_create(deployment, caller):
    res = deployment.request(caller, "POST", "/images", headers={"x-image-meta-name": "n"})
    if caller == "anonymous":
        assert res.status_int == 401
    else:
        assert res.status_int == 201
        tenant = {"owner": "tenant-a", "other": "tenant-b", "admin": "tenant-c"}[caller]
        assert res.json["image"]["owner"] == tenant
