"""Auth and access, when the server runs with tokens (§1 visibility, §6).

Runs only with --auth-token; the cross-tenant checks also need
--alt-auth-token (a second tenant's non-admin token).  Without them the
tests are skipped with that reason.
"""

import uuid

import pytest

from conformance import expect
from conformance.context import V1

clause = pytest.mark.clause
writes = pytest.mark.writes
NOBODY = str(uuid.uuid4())  # an image no server has


@pytest.fixture
def token(suite):
    suite.capabilities.need("auth")
    return suite.auth_token


@pytest.fixture
def alt(suite, token):
    suite.capabilities.need("second-tenant")
    return suite.alt


@clause("AUTH-1")
@pytest.mark.parametrize("method,path", [("GET", V1 + "/images"), ("GET", V1 + "/images/detail"),
                                         ("HEAD", f"{V1}/images/{NOBODY}"),
                                         ("POST", V1 + "/images")],
                         ids=["list", "detail", "head", "post"])
def test_missing_token_is_401(api, v, token, method, path):
    """A request without X-Auth-Token answers 401."""
    res = api.request(method, path, auth=False)
    v.check("AUTH-1", res.status_int == 401,
            f"{method} {path} without a token answered {res.status}, not 401")


@clause("AUTH-1")
def test_unknown_token_is_401(api, v, suite, token):
    """An unknown token answers 401."""
    res = api.get(V1 + "/images", auth=False,
                  headers=[("X-Auth-Token", suite.prefix + "-no-such")])
    v.check("AUTH-1", res.status_int == 401,
            f"GET {V1}/images with an unknown token answered {res.status}, not 401")


@clause("AUTH-2")
def test_known_token_is_served(api, v, token):
    """The given token is served."""
    expect.require_status(v, "AUTH-2", api.get(V1 + "/images"), 200,
                          f"GET {V1}/images with the token")


@writes
@clause("AUTH-2")
def test_owner_is_the_tokens_tenant(api, v, suite, token):
    """An image made with a token is owned by that token's tenant."""
    image, _ = suite.create(v, "owned")
    v.check("AUTH-2", isinstance(image.get("owner"), str) and image.get("owner"),
            f"image made with a token has owner {image.get('owner')!r}, not the tenant")


@writes
@clause("ACC-1")
def test_private_image_invisible_to_others(api, v, suite, alt):
    """Another tenant gets 404 (not 403) for a non-public image, and does not see it listed."""
    image, _ = suite.create(v, "mine")
    for method in ("HEAD", "GET"):
        res = alt.request(method, f"{V1}/images/{image['id']}")
        v.check("ACC-1", res.status_int == 404,
                f"{method} of another tenant's private image answered {res.status}, not 404")
    for method in ("PUT", "DELETE"):
        res = alt.request(method, f"{V1}/images/{image['id']}",
                          headers=[("x-image-meta-name", "stolen")] if method == "PUT" else [])
        v.check("ACC-1", res.status_int == 404,
                f"{method} of another tenant's private image answered {res.status}, not 404")
    res = alt.get(V1 + "/images/detail", query=suite.run_filter())
    if res.status_int == 200:
        listed = [i.get("id") for i in expect.images_of(v, "ACC-1", res, "alt list")]
        v.check("ACC-1", image["id"] not in listed,
                f"another tenant's list shows private image {image['id']}")
    expect.require_status(v, "ACC-1", api.head(f"{V1}/images/{image['id']}"), 200,
                          "the owner's HEAD after the refused changes")


@writes
@clause("ACC-2")
def test_public_image_read_only_to_others(api, v, suite, alt):
    """Another tenant may read a public image but not change or delete it."""
    image, _ = suite.create(v, "shared", public=True, body=b"shared data")
    if not suite.can_publish:
        pytest.skip("this caller may not publish images (403): no public image to share")
    res = alt.get(f"{V1}/images/{image['id']}")
    v.check("ACC-2", res.status_int == 200 and res.body == b"shared data",
            f"another tenant's GET of a public image answered {res.status}")
    res = alt.put(f"{V1}/images/{image['id']}", headers=[("x-image-meta-name", "stolen")])
    v.check("ACC-2", res.status_int == 403,
            f"another tenant's PUT of a public image answered {res.status}, not 403")
    res = alt.delete(f"{V1}/images/{image['id']}")
    v.check("ACC-2", res.status_int == 403,
            f"another tenant's DELETE of a public image answered {res.status}, not 403")
    res = api.head(f"{V1}/images/{image['id']}")
    core, _, _ = expect.meta_headers(res)
    v.check("ACC-2", res.status_int == 200 and core.get("name") == image.get("name"),
            f"after the refused changes the owner sees {res.status}, name {core.get('name')!r}")
