"""Discovery and versions: `/`, `/versions`, `/v1` and unknown versions (§2, §6)."""

import pytest

from conformance import expect

clause = pytest.mark.clause
V1_TYPE = "application/vnd.openstack.images-v1+json"
V2_TYPE = "application/vnd.openstack.images-v2+json"


def versions_document(v, res, what, cid, code=300):
    """Judge a versions document (300, or 200 for /versions); return its versions."""
    expect.require_status(v, cid, res, code, what)
    versions = expect.json_doc(v, cid, res, what, key="versions")
    v.require(cid, isinstance(versions, list) and versions,
              f"{what}: `versions` must be a non-empty list, got {versions!r}")
    for version_id in ("v1.1", "v1.0"):
        found = [x for x in versions if isinstance(x, dict) and x.get("id") == version_id]
        v.require(cid, len(found) == 1,
                  f"{what}: no version with id \"{version_id}\" in {versions!r}")
        v.check(cid, found[0].get("status") == "DEPRECATED",
                f"{what}: {version_id} status is {found[0].get('status')!r}, "
                "not \"DEPRECATED\"")
        v.check(cid, isinstance(found[0].get("links"), list),
                f"{what}: {version_id} `links` is {found[0].get('links')!r}, not a list")
    return versions


@clause("VER-1", "JSON-1")
@pytest.mark.parametrize("path, code", [("/", 300), ("/versions", 200)])
def test_versions_document(api, v, path, code):
    """GET / answers 300 and GET /versions 200, with the versions document."""
    versions_document(v, api.get(path), f"GET {path}", "VER-1", code)


@clause("VER-4")
def test_version_self_links(api, v, suite):
    """Each v1 version's links hold a self link to <base>/v1/."""
    versions = versions_document(v, api.get("/versions"), "GET /versions", "VER-1", 200)
    for version in versions:
        if isinstance(version, dict) and str(version.get("id", "")).startswith("v2"):
            continue        # v2 entries link to <base>/v2/ (§2)
        links = version.get("links") if isinstance(version, dict) else None
        selfs = [x.get("href") for x in links or [] if isinstance(x, dict)
                 and x.get("rel") == "self"]
        v.check("VER-4", len(selfs) >= 1 and all(isinstance(h, str) for h in selfs),
                f"version {version.get('id') if isinstance(version, dict) else version!r}: "
                f"no {{\"rel\": \"self\", \"href\": ...}} link in {links!r}")
        for href in selfs:
            if isinstance(href, str):
                v.check("VER-4", href.endswith("/v1/") and "://" in href,
                        f"self link {href!r} is not an absolute <base>/v1/ URL")


@clause("VER-3")
@pytest.mark.parametrize("path", ["/v2/images", "/v2/"])
def test_unknown_version_path(api, v, path):
    """A path under an unknown version answers 300 with the versions document."""
    versions_document(v, api.get(path), f"GET {path}", "VER-3")


@clause("VER-3")
def test_unknown_version_accept(api, v):
    """Accept naming images-v2 answers 300 with the versions document."""
    res = api.get("/images", headers=[("Accept", V2_TYPE)])
    versions_document(v, res, f"GET /images with Accept: {V2_TYPE}", "VER-3")


@clause("VER-2", "API-LIST-1")
def test_unversioned_and_v1_lists(api, v):
    """GET /images and GET /v1/images both answer 200 with an image list."""
    for path in ("/images", "/v1/images", "/images/detail", "/v1/images/detail"):
        res = api.get(path)
        expect.require_status(v, "VER-2", res, 200, f"GET {path}")
        expect.images_of(v, "VER-2", res, f"GET {path}")


@clause("VER-5")
def test_v1_accept_maps_to_v1(api, v):
    """Accept: application/vnd.openstack.images-v1+json is served by v1."""
    res = api.get("/images", headers=[("Accept", V1_TYPE)])
    expect.require_status(v, "VER-5", res, 200, f"GET /images with Accept: {V1_TYPE}")
    expect.images_of(v, "VER-5", res, f"GET /images with Accept: {V1_TYPE}")
