"""Glance's version-negotiation tests (`glance/tests/functional/test_api.py`) over HTTP.

`TestApiVersions` and `TestApiPaths`, one test per upstream method.  Upstream
ran `TestApiPaths` with v1 and v2 enabled; here the expected versions
document is the one for the target's configuration (`Target.has_v2`): the
v2.6 … v2.0 entries and the two v1 entries, or the two v1 entries alone
(contract §2: "While a server offers v1 only, the document is the two v1
entries").  The two configuration tests each need their configuration and
skip on the other.

Left out:
- test_v2_api_configuration: it needs a server with v1 disabled (v2 only),
  a configuration neither the reference recipe nor our contract has, and it
  tests no v1 behaviour.
"""

import pytest

V2_MINORS = (6, 5, 4, 3, 2, 1, 0)


def _entry(version, status, href):
    return {"id": version, "status": status, "links": [{"rel": "self", "href": href}]}


def v1_versions(url):
    return {"versions": [_entry("v1.1", "DEPRECATED", url % "1"),
                         _entry("v1.0", "DEPRECATED", url % "1")]}


def v2_versions(url):
    return {"versions": [_entry(f"v2.{minor}", "CURRENT" if minor == 6 else "SUPPORTED",
                                url % "2") for minor in V2_MINORS]}


def all_versions(url):
    return {"versions": v2_versions(url)["versions"] + v1_versions(url)["versions"]}


def versions_of(target):
    """The versions document the target's configuration serves."""
    url = target.url + "/v%s/"
    return all_versions(url) if target.has_v2 else v1_versions(url)


def _assert_choices(target, path, headers=None, status=300, expected=None):
    answer = target.request("GET", path, headers)
    assert answer.status == status, answer.describe()
    assert answer.json() == (expected or versions_of(target))


# -- TestApiVersions ---------------------------------------------------------

def test_version_configurations(target):
    """Versioning with v1 and v2 enabled: GET / lists every version."""
    if not target.has_v2:
        pytest.skip("needs a target serving v1 and v2")
    _assert_choices(target, "/", expected=all_versions(target.url + "/v%s/"))


def test_v1_api_configuration(target):
    """Versioning with v1 only: GET / lists the two v1 versions."""
    if target.has_v2:
        pytest.skip("needs a target serving v1 only")
    _assert_choices(target, "/", expected=v1_versions(target.url + "/v%s/"))


# -- TestApiPaths ------------------------------------------------------------

def test_get_root_path(target):
    """GET / without Accept: version choices (lp:803260, once a 500)."""
    _assert_choices(target, "/")


def test_get_images_path(target):
    """GET /images without Accept: version choices."""
    _assert_choices(target, "/images")


def test_get_v1_images_path(target):
    """GET /v1/images without Accept: 200."""
    answer = target.request("GET", "/v1/images")
    assert answer.status == 200, answer.describe()


def test_get_root_path_with_unknown_header(target):
    """GET / with `Accept: unknown`: version choices."""
    _assert_choices(target, "/", {"Accept": "unknown"})


def test_get_root_path_with_openstack_header(target):
    """GET /images with `Accept: application/vnd.openstack.images-v1`: the empty list."""
    answer = target.request("GET", "/images",
                            {"Accept": "application/vnd.openstack.images-v1"})
    assert answer.status == 200, answer.describe()
    assert answer.text == '{"images": []}'


def test_get_images_path_with_openstack_header(target):
    """GET /images with `Accept: application/vnd.openstack.compute-v1`: version choices."""
    _assert_choices(target, "/images", {"Accept": "application/vnd.openstack.compute-v1"})


def test_get_v10_images_path(target):
    """GET /v1.a/images (sic: upstream's path, as its next test): 300."""
    answer = target.request("GET", "/v1.a/images")
    assert answer.status == 300, answer.describe()


def test_get_v1a_images_path(target):
    """GET /v1.a/images: 300."""
    answer = target.request("GET", "/v1.a/images")
    assert answer.status == 300, answer.describe()


def test_get_va1_images_path(target):
    """GET /va.1/images: version choices."""
    _assert_choices(target, "/va.1/images")


def test_get_versions_path(target):
    """GET /versions: 200 with the versions."""
    _assert_choices(target, "/versions", status=200)


def test_get_versions_path_with_openstack_header(target):
    """GET /versions with `Accept: application/vnd.openstack.images-v1`: 200, the versions."""
    _assert_choices(target, "/versions", {"Accept": "application/vnd.openstack.images-v1"},
                    status=200)


def test_get_v1_versions_path(target):
    """GET /v1/versions: 404."""
    answer = target.request("GET", "/v1/versions")
    assert answer.status == 404, answer.describe()


def test_get_versions_choices(target):
    """GET /v10: version choices."""
    _assert_choices(target, "/v10")


def test_get_images_path_with_openstack_v2_header(target):
    """GET /images with `Accept: application/vnd.openstack.images-v10`: version choices."""
    _assert_choices(target, "/images", {"Accept": "application/vnd.openstack.images-v10"})


def test_get_v12_images_path(target):
    """GET /v1.2/images: version choices."""
    _assert_choices(target, "/v1.2/images")
