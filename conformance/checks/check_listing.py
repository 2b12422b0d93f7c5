"""Listing: the brief and detail lists, which images they show, their order (§2, §10)."""

import pytest

from conformance import expect
from conformance.context import FORMATS, V1

clause = pytest.mark.clause
writes = pytest.mark.writes


def listed(api, v, path, query, cid, what=None, suite=None):
    """The images of one list answer; with `suite`, each entry's shape is judged too."""
    res = api.get(path, query=query)
    what = what or f"GET {path}?{res.request.query_string}"
    expect.require_status(v, cid, res, 200, what)
    images = expect.images_of(v, cid, res, what)
    if suite is not None:
        versioned = path.startswith("/v1")
        for image in images:
            if path.rstrip("/").endswith("/detail"):
                expect.full_image(v, image, suite, what, versioned=versioned)
            else:
                expect.brief_entry(v, image, suite, what, versioned=versioned)
    return images


def order_key(image):
    return (image.get("created_at") or "", image.get("id") or "")


# -- read-only: whatever the server holds ------------------------------------
@clause("API-LIST-1", "API-LIST-2", "API-LIST-9", "IMG-3", "IMG-4", "IMG-10")
@pytest.mark.parametrize("prefix", [V1, ""], ids=["v1", "unversioned"])
def test_brief_list_shape(api, v, suite, prefix):
    """GET /v1/images entries carry the brief fields (extras allowed, detail-only never)."""
    if not prefix:
        res = api.get("/images", query={"limit": "1"})
        v.require("VER-8", res.status_int == 200, f"GET /images answered {res.status}")
    for image in listed(api, v, prefix + "/images", {}, "API-LIST-1"):
        expect.brief_entry(v, image, suite, f"GET {prefix}/images", versioned=bool(prefix))


@clause("API-LIST-3", "IMG-1", "IMG-2", "IMG-5", "IMG-9", "IMG-15")
def test_detail_list_shape(api, v, suite):
    """GET /v1/images/detail entries are full image records."""
    for image in listed(api, v, V1 + "/images/detail", {}, "API-LIST-3"):
        expect.full_image(v, image, suite, f"GET {V1}/images/detail")


@clause("API-LIST-7")
def test_default_order_existing(api, v):
    """The detail list is ordered by created_at, then id, both descending."""
    images = listed(api, v, V1 + "/images/detail", {}, "API-LIST-3")
    keys = [order_key(i) for i in images]
    v.check("API-LIST-7", keys == sorted(keys, reverse=True),
            f"GET /images/detail is not in (created_at, id) descending order: {keys}")


@clause("API-LIST-4")
def test_no_deleted_in_lists(api, v, suite):
    """No list shows a deleted image."""
    for query in [{}, {"is_public": "none"}]:
        for image in listed(api, v, V1 + "/images/detail", query, "API-LIST-3"):
            v.check("API-LIST-4", image.get("deleted") is not True,
                    f"GET /images/detail lists deleted image {image.get('id')}")


@clause("API-LIST-1", "API-LIST-3")
def test_brief_and_detail_agree_existing(api, v):
    """The brief and the detail list show the same images in the same order."""
    brief = [i.get("id") for i in listed(api, v, V1 + "/images", {}, "API-LIST-1")]
    detail = [i.get("id") for i in listed(api, v, V1 + "/images/detail", {}, "API-LIST-3")]
    # Others may add or delete images between the two requests: compare what both show.
    both = set(brief) & set(detail)
    v.check("API-LIST-1", [i for i in brief if i in both] == [i for i in detail if i in both]
            and len(both) >= min(len(brief), len(detail)) - 2,
            f"brief list ids {brief} differ from detail list ids {detail}")


# -- with images of our own ---------------------------------------------------
@writes
@clause("API-LIST-5", "IMG-8")
def test_default_list_visibility(api, v, suite):
    """By default: public images, plus private ones only when the caller has a tenant."""
    public, _ = suite.create(v, "pub", public=True)
    private, _ = suite.create(v, "priv")
    v.check("IMG-8", private.get("is_public") is False,
            f"image created without x-image-meta-is_public has is_public "
            f"{private.get('is_public')!r}, not false")
    ids = [i.get("id") for i in listed(api, v, V1 + "/images", suite.run_filter(),
                                       "API-LIST-1", suite=suite)]
    if suite.can_publish:
        v.check("API-LIST-5", public["id"] in ids,
                f"public image {public['id']} is missing from the default list {ids}")
    owner = private.get("owner")
    if owner is None:
        v.check("API-LIST-5", private["id"] not in ids,
                f"the caller has no tenant (owner null), yet its private image "
                f"{private['id']} is in the default list")
    else:
        v.check("API-LIST-5", private["id"] in ids,
                f"private image {private['id']} owned by the caller's tenant {owner!r} is "
                f"missing from the default list")


@writes
@clause("API-LIST-6")
@pytest.mark.parametrize("spelling", ["none", "None", "NONE"])
def test_is_public_filter(api, v, suite, spelling):
    """is_public=false/true narrow; is_public=none: every image (admins), else the default."""
    private, _ = suite.create(v, "priv")
    public, _ = suite.create(v, "pub", public=True)
    ids = [i.get("id") for i in listed(api, v, V1 + "/images",
                                       {**suite.run_filter(), "is_public": "false"},
                                       "API-LIST-6", suite=suite)]
    v.check("API-LIST-6", private["id"] in ids,
            f"is_public=false does not list private image {private['id']}: {ids}")
    if suite.can_publish:
        v.check("API-LIST-6", public["id"] not in ids,
                f"is_public=false lists public image {public['id']}")
        ids = [i.get("id") for i in listed(api, v, V1 + "/images",
                                           {**suite.run_filter(), "is_public": "TRUE"},
                                           "API-LIST-6")]
        v.check("API-LIST-6", public["id"] in ids and private["id"] not in ids,
                f"is_public=TRUE must list {public['id']} and not {private['id']}: {ids}")
    res = api.get(V1 + "/images", query={**suite.run_filter(), "is_public": spelling})
    expect.require_status(v, "API-LIST-6", res, 200, f"GET {V1}/images?is_public={spelling}")
    ids = [i.get("id") for i in expect.images_of(v, "API-LIST-6", res, "is_public=none")]
    default = [i.get("id") for i in listed(api, v, V1 + "/images", suite.run_filter(),
                                           "API-LIST-1")]
    if suite.is_admin:
        v.check("API-LIST-6", private["id"] in ids and (public["id"] in ids
                                                         or not suite.can_publish),
                f"is_public={spelling} (admin) must list {private['id']} and "
                f"{public['id']}: {ids}")
    elif suite.is_admin is False:
        v.check("API-LIST-6", sorted(ids) == sorted(default),
                f"is_public={spelling} (non-admin) must give the default list {default}, "
                f"got {ids}")


@writes
@clause("API-LIST-4", "API-DEL-2")
def test_deleted_image_not_listed(api, v, suite):
    """A deleted image vanishes from the brief and the detail list."""
    image, _ = suite.create(v, "gone", public=True)
    res = api.delete(f"{V1}/images/{image['id']}")
    expect.require_status(v, "API-DEL-1", res, 200, f"DELETE {V1}/images/{image['id']}")
    suite.ledger.deleted(image["id"])
    for path in (V1 + "/images", V1 + "/images/detail"):
        for extra in [suite.scope(), {"is_public": "none"}]:
            ids = [i.get("id") for i in listed(api, v, path, {**suite.run_filter(), **extra},
                                               "API-LIST-1")]
            v.check("API-LIST-4", image["id"] not in ids,
                    f"GET {path} {extra} still lists deleted image {image['id']}")


@writes
@clause("API-LIST-8", "API-LIST-12", "FLT-3")
def test_every_status_listed(api, v, suite):
    """queued, active (and killed, an extension) images are listed; status= narrows."""
    queued, _ = suite.create(v, "queued", public=True)
    active, _ = suite.create(v, "active", public=True, body=b"0123456789")
    killed = [suite.killed_image(v, "killed", public=True)]
    want = {queued["id"]: "queued", active["id"]: "active", killed[0]["id"]: "killed"}
    seen = {i.get("id"): i.get("status")
            for i in listed(api, v, V1 + "/images/detail",
                            {**suite.run_filter(), **suite.scope()}, "API-LIST-3", suite=suite)}
    for iid, status in want.items():
        v.check("API-LIST-12" if status == "killed" else "API-LIST-8", seen.get(iid) == status,
                f"image {iid} ({status}) is listed as {seen.get(iid, 'absent')!r}")
    for status in ("queued", "active", "killed"):
        got = [i.get("id") for i in listed(api, v, V1 + "/images/detail",
                                           {**suite.run_filter(), **suite.scope(),
                                            "status": status}, "FLT-3")]
        mine = [iid for iid, s in want.items() if s == status]
        others = [iid for iid, s in want.items() if s != status]
        v.check("FLT-3", not any(i in got for i in others),
                f"status={status} lists {[i for i in others if i in got]}")
        v.check("API-LIST-12" if status == "killed" else "FLT-3",
                all(i in got for i in mine), f"status={status} must list {mine}, got {got}")


@writes
@clause("API-LIST-7", "API-LIST-1", "API-LIST-3")
def test_new_images_order(api, v, suite):
    """Images made one after another list newest first, brief and detail alike."""
    made = [suite.create(v, "order", public=True)[0]["id"] for _ in range(3)]
    query = {**suite.run_filter(), **suite.scope()}
    detail = [i for i in listed(api, v, V1 + "/images/detail", query, "API-LIST-3",
                                suite=suite) if i.get("id") in made]
    keys = [order_key(i) for i in detail]
    v.check("API-LIST-7", keys == sorted(keys, reverse=True),
            f"detail list not in (created_at, id) descending order: {keys}")
    v.check("API-LIST-7", [i.get("id") for i in detail] == made[::-1],
            f"images made in order {made} must list newest first, got "
            f"{[i.get('id') for i in detail]}")
    brief = [i.get("id") for i in listed(api, v, V1 + "/images", query, "API-LIST-1",
                                         suite=suite) if i.get("id") in made]
    v.check("API-LIST-1", brief == [i.get("id") for i in detail],
            f"brief order {brief} differs from detail order {[i.get('id') for i in detail]}")


@writes
@clause("API-LIST-11", "API-LIST-4")
def test_changes_since(api, v, suite):
    """changes-since lists images changed strictly after it, deleted ones included."""
    first, _ = suite.create(v, "since1", public=True)
    if not suite.can_publish and first.get("owner") is None:
        pytest.skip("the caller has no tenant and may not publish: no image of this run is "
                    "listed to it")
    later, _ = suite.create(v, "since2", public=True)
    since = first.get("updated_at")
    v.require("API-LIST-11", isinstance(since, str) and (later.get("updated_at") or "") > since,
              f"the second image's updated_at {later.get('updated_at')!r} is not after the "
              f"first's {since!r}")
    # Without the run's property filter: a deleted image's properties go with it.
    query = {"changes-since": since, "limit": "1000"}
    ids = [i.get("id") for i in listed(api, v, V1 + "/images/detail", query, "API-LIST-11")]
    v.check("API-LIST-11", later["id"] in ids and first["id"] not in ids,
            f"changes-since={since} must list {later['id']} and not {first['id']} (changed "
            f"at that very time): {ids}")
    expect.require_status(v, "API-DEL-1", api.delete(f"{V1}/images/{later['id']}"), 200,
                          "DELETE the second image")
    suite.ledger.deleted(later["id"])
    got = {i.get("id"): i for i in listed(api, v, V1 + "/images/detail", query,
                                          "API-LIST-11")}
    gone = got.get(later["id"], {})
    v.check("API-LIST-11", gone.get("status") == "deleted" and gone.get("deleted") is True,
            f"changes-since must list the deleted image {later['id']} as status deleted, "
            f"deleted true; got {gone or 'nothing'}")
    res = api.get(V1 + "/images/detail", query={"changes-since": "not a time"})
    expect.error(v, "API-LIST-11", res, 400, "GET /v1/images/detail?changes-since=not a time",
                 names="Unrecognized changes-since value")
