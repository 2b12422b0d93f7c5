"""POST /v2/images/{id}/import (CONTRACT §4 Import): glance-direct and
web-download, refused before anything changes, then run in the background
(here mostly at once, through the `start_import` seam): `importing` →
`active`, or back to `queued`; the staged data is removed either way."""

import hashlib
import time

import pytest

from glance.api.recovery import service_context
from glance.api.v2 import imports
from glance.common.context import RequestContext
from glance.common.netpolicy import LocationPolicy
from glance.store import FilesystemStore, HttpStore, Stores
from tests.fixtureapps.origin import Origin, pattern
from tests.fixtureapps.v2data import Deferred, Deployment, filling_disk, settings

OCTET = {"Content-Type": "application/octet-stream"}
DATA = bytes(range(256)) * 1000
SIZE = 300_000
ALICE = RequestContext(tenant="alice", user="a", roles=("member",))
BOB = RequestContext(tenant="bob", user="b", roles=("member",))
DIRECT = {"method": {"name": "glance-direct"}}


@pytest.fixture
def deployment(tmp_path):
    deployed = Deployment(settings(tmp_path))
    yield deployed
    deployed.close()


@pytest.fixture
def app(deployment):
    return deployment.client()


@pytest.fixture
def origin():
    with Origin() as served:
        yield served


def web(url, **extra):
    return {"method": {"name": "web-download", "uri": url}, **extra}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def import_url(image):
    return f"/v2/images/{image['id']}/import"


def staged(deployment, data=DATA, ctx=None):
    image = deployment.create(ctx)
    deployment.client(ctx).put(f"/v2/images/{image['id']}/stage", data, headers=OCTET,
                               status=204)
    return deployment.image(image["id"])


def test_the_methods_are_the_two_of_the_contract():
    assert imports.METHODS == ("glance-direct", "web-download")


# -- glance-direct -----------------------------------------------------------------

def test_glance_direct_moves_the_staged_data_into_the_store(deployment, app):
    image = staged(deployment)
    res = app.post_json(import_url(image), DIRECT, status=202)
    assert res.body == b""
    got = deployment.image(image["id"])
    assert (got["status"], got["size"], got["virtual_size"]) == ("active", len(DATA), len(DATA))
    assert got["checksum"] == hashlib.md5(DATA).hexdigest()
    assert (got["os_hash_algo"], got["os_hash_value"]) == ("sha256", sha256(DATA))
    assert deployment.staged() == [] and deployment.stored() == [image["id"]]
    assert app.get(f"/v2/images/{image['id']}/file").body == DATA


def test_glance_direct_needs_a_staged_image(deployment, app):
    for status in ("queued", "active", "importing"):
        image = deployment.create(status=status)
        res = app.post_json(import_url(image), DIRECT, status=409)
        assert res.json["error"]["type"] == "image.conflict"
        assert deployment.image(image["id"])["status"] == status


def test_glance_direct_without_staged_data_goes_back_to_queued(deployment, app):
    image = staged(deployment)
    deployment.stores.staging.discard(image["id"])          # e.g. staged on another node
    app.post_json(import_url(image), DIRECT, status=202)
    got = deployment.image(image["id"])
    assert (got["status"], got["size"]) == ("queued", None)
    assert "no staged data" in got["status_reason"]


def test_the_stores_room_for_the_staged_data_is_checked_before_the_import(tmp_path):
    conf = settings(tmp_path)
    state, write, free_space = filling_disk(1 << 30)
    backend = FilesystemStore(conf, write=write, free_space=free_space)
    deployment = Deployment(conf, stores=Stores(conf, backends=[backend, HttpStore(conf)]))
    image = staged(deployment)
    state["free"] = 100_000         # the store filled up since the stage
    deployment.client().post_json(import_url(image), DIRECT, status=507)   # checked first
    state["free"] = len(DATA) + 1
    deployment.client().post_json(import_url(image), DIRECT, status=202)
    assert deployment.image(image["id"])["status"] == "active"
    deployment.close()


def test_a_store_that_fills_during_the_import_puts_it_back_to_queued(tmp_path):
    conf = settings(tmp_path)
    free = {"left": 1 << 30}
    backend = FilesystemStore(conf, free_space=lambda: free["left"])
    deployment = Deployment(conf, stores=Stores(conf, backends=[backend, HttpStore(conf)]),
                            start_import=Deferred())
    image = staged(deployment)
    deployment.client().post_json(import_url(image), DIRECT, status=202)
    free["left"] = 1000
    deployment.data.importer._start.run()
    got = deployment.image(image["id"])
    assert got["status"] == "queued" and "import failed" in got["status_reason"]
    assert deployment.staged() == [] and deployment.stored() == []
    deployment.close()


# -- web-download ------------------------------------------------------------------

def test_web_download_copies_the_origin_data(deployment, app, origin):
    image = deployment.create()
    app.post_json(import_url(image), web(origin.url(f"/bytes/{SIZE}")), status=202)
    got = deployment.image(image["id"])
    assert (got["status"], got["size"]) == ("active", SIZE)
    assert got["checksum"] == hashlib.md5(pattern(SIZE)).hexdigest()
    assert app.get(f"/v2/images/{image['id']}/file").body == pattern(SIZE)
    assert deployment.staged() == []


def test_web_download_without_a_length(deployment, app, origin):
    image = deployment.create()
    app.post_json(import_url(image), web(origin.url(f"/bytes/{SIZE}?nolength=1")),
                  status=202)
    assert deployment.image(image["id"])["size"] == SIZE


def test_web_download_needs_a_queued_image(deployment, app, origin):
    image = staged(deployment)
    app.post_json(import_url(image), web(origin.url("/bytes/10")), status=409)
    assert deployment.image(image["id"])["status"] == "uploading"
    assert origin.requests == []


def test_a_declared_sha256_that_matches(deployment, app, origin):
    image = deployment.create()
    body = web(origin.url(f"/bytes/{SIZE}"), validation_data={
        "os_hash_algo": "sha256", "os_hash_value": sha256(pattern(SIZE)).upper()})
    app.post_json(import_url(image), body, status=202)
    assert deployment.image(image["id"])["os_hash_value"] == sha256(pattern(SIZE))


def test_a_declared_sha256_that_differs_fails_the_import(deployment, app, origin):
    image = deployment.create()
    body = web(origin.url(f"/bytes/{SIZE}"), validation_data={
        "os_hash_algo": "sha256", "os_hash_value": "0" * 64})
    app.post_json(import_url(image), body, status=202)
    got = deployment.image(image["id"])
    assert (got["status"], got["checksum"], got["location"]) == ("queued", None, None)
    assert "validation_data os_hash_value" in got["status_reason"]
    assert deployment.stored() == []


@pytest.mark.parametrize("path,why", [("/status/404", "origin"), ("/status/500", "origin"),
                                      ("/drop/70000?of=300000", "origin")])
def test_an_origin_that_fails_puts_the_image_back_to_queued(deployment, app, origin, path,
                                                            why):
    image = deployment.create()
    app.post_json(import_url(image), web(origin.url(path)), status=202)
    got = deployment.image(image["id"])
    assert got["status"] == "queued"
    assert "the image's origin is unavailable" in got["status_reason"]
    assert str(origin.port) not in got["status_reason"]
    assert deployment.stored() == []


def test_the_location_policy_refuses_before_anything_changes(tmp_path, origin):
    policy = LocationPolicy(resolve=lambda *args, **kwargs: [])     # loopback: refused
    deployment = Deployment(settings(tmp_path), location_policy=policy)
    image = deployment.create()
    res = deployment.client().post_json(import_url(image), web(origin.url("/bytes/10")),
                                        status=400)
    assert "web-download URI" in res.json["error"]["message"]
    assert "127.0.0.1" not in res.json["error"]["message"]
    assert deployment.image(image["id"])["status"] == "queued"
    assert origin.requests == []
    deployment.close()


# -- refusals ----------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {}, [], "glance-direct", {"method": "glance-direct"}, {"method": {}},
    {"method": {"name": "copy-image"}}, {"method": {"name": None}},
    {"method": {"name": ["web-download"]}},
    {"method": {"name": "web-download"}}, {"method": {"name": "web-download", "uri": ""}},
    {"method": {"name": "web-download", "uri": 5}},
    {"method": {"name": "web-download", "uri": "ftp://example.com/x"}},
    {"method": {"name": "web-download", "uri": "file:///etc/passwd"}},
    {"method": {"name": "web-download", "uri": "example.com/x"}},
    web("http://example.com/x", validation_data={"os_hash_algo": "sha512",
                                                 "os_hash_value": "0" * 128}),
    web("http://example.com/x", validation_data={"os_hash_algo": "sha256",
                                                 "os_hash_value": "0" * 63}),
    web("http://example.com/x", validation_data={"os_hash_algo": "sha256",
                                                 "os_hash_value": "z" * 64}),
    web("http://example.com/x", validation_data={"os_hash_value": "0" * 64}),
    web("http://example.com/x", validation_data="sha256"),
    {**DIRECT, "validation_data": {"os_hash_algo": "sha256", "os_hash_value": "0" * 64}},
])
def test_a_bad_body_is_400_and_changes_nothing(deployment, app, body):
    image = deployment.create()
    res = app.post_json(import_url(image), body, status=400)
    assert res.json["error"]["type"] == "image.invalid"
    assert deployment.image(image["id"])["status"] == "queued"


def test_a_body_that_is_not_json_is_400(deployment, app):
    image = deployment.create()
    app.post(import_url(image), b"{nope", headers={"Content-Type": "application/json"},
             status=400)


def test_only_the_owner_or_an_admin_imports(deployment):
    image = staged(deployment, ctx=ALICE)
    deployment.client(BOB).post_json(import_url(image), DIRECT, status=404)
    deployment.registry.add_member(service_context(), image["id"], "bob")
    deployment.client(BOB).post_json(import_url(image), DIRECT, status=403)
    assert deployment.image(image["id"])["status"] == "uploading"
    deployment.client(ALICE).post_json(import_url(image), DIRECT, status=202)
    assert deployment.image(image["id"])["status"] == "active"


def test_unknown_and_malformed_ids_are_404(app):
    for path_id in ("00000000-0000-4000-8000-000000000000", "x"):
        app.post_json(f"/v2/images/{path_id}/import", DIRECT, status=404)


# -- in the background -------------------------------------------------------------

def test_the_image_is_importing_until_the_import_runs(tmp_path, origin):
    deferred = Deferred()
    deployment = Deployment(settings(tmp_path), start_import=deferred)
    app = deployment.client()
    image = deployment.create()
    app.post_json(import_url(image), web(origin.url("/bytes/10")), status=202)
    assert deployment.image(image["id"])["status"] == "importing"
    app.get(f"/v2/images/{image['id']}/file", status=204)
    app.post_json(import_url(image), web(origin.url("/bytes/10")), status=409)
    deferred.run()
    assert deployment.image(image["id"])["status"] == "active"
    deployment.close()


def test_imports_past_the_cap_are_503_and_change_nothing(tmp_path, origin):
    deferred = Deferred()
    deployment = Deployment(settings(tmp_path, max_background_imports=1),
                            start_import=deferred)
    app = deployment.client()
    first, second = deployment.create(), staged(deployment)
    app.post_json(import_url(first), web(origin.url("/bytes/10")), status=202)
    res = app.post_json(import_url(second), DIRECT, status=503)
    assert res.headers["Retry-After"] and res.json["error"]["type"] == "server.busy"
    assert deployment.image(second["id"])["status"] == "uploading"
    deferred.run()                                      # the slot is free again
    app.post_json(import_url(second), DIRECT, status=202)
    deferred.run()
    assert [deployment.image(i["id"])["status"] for i in (first, second)] == ["active"] * 2
    deployment.close()


def test_an_import_runs_on_a_thread_of_its_own(tmp_path, origin):
    deployment = Deployment(settings(tmp_path), start_import=None)
    image = deployment.create()
    deployment.client().post_json(import_url(image), web(origin.url(f"/bytes/{SIZE}")),
                                  status=202)
    deadline = time.monotonic() + 20
    while deployment.image(image["id"])["status"] == "importing" \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert deployment.image(image["id"])["status"] == "active"
    deployment.close()
