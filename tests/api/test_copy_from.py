"""x-glance-api-copy-from (CONTRACT §2 POST 4, §10): refused before any record,
else answered at once and copied in the background through the upload path.

The origin is `tests.fixtureapps.origin.Origin` on loopback (allowed: these
deployments run in noauth mode, where the location policy lets everything
through, unless a test gives the app a stricter policy).  Most tests run the
copy synchronously through the app's `start_copy` seam; the ones about the
background run it on the server's own thread and wait (bounded) for the end.
"""

import hashlib
import os
import time

import pytest
import webtest

from glance.api import recovery
from glance.api.v1.images import ImagesApp
from glance.common import config, context
from glance.common.netpolicy import LocationPolicy
from glance.registry import ImageRegistry
from glance.store import Stores
from tests.fixtureapps.origin import Origin, pattern
from tests.functional.services import LOOPBACK_ORIGINS

COPY = "x-glance-api-copy-from"
SIZE = 300_000          # several chunks of 64 KiB


def md5(data):
    return hashlib.md5(data).hexdigest()


def run_now(work):
    work()


class Deferred:
    """A `start_copy` that keeps the copies until `run()`."""

    def __init__(self):
        self.works = []

    def __call__(self, work):
        self.works.append(work)

    def run(self):
        for work in self.works:
            work()


@pytest.fixture
def deployment(tmp_path):
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images"),
        "GLANCE_CHUNK_SIZE": "64K", "GLANCE_STORE_MIN_FREE": "0",
        "GLANCE_MAX_BACKGROUND_COPIES": "1", "GLANCE_HTTP_STORE_READ_TIMEOUT": "5",
        **LOOPBACK_ORIGINS})
    registry = ImageRegistry.from_conf(conf)
    yield conf, registry, Stores(conf)
    registry.close()


@pytest.fixture
def origin():
    with Origin() as served:
        yield served


def client(deployment, ctx=None, **options):
    conf, registry, stores = deployment
    app = ImagesApp(conf, registry, stores, **options)
    return webtest.TestApp(app, lint=True, extra_environ={
        context.ENV_KEY: ctx or context.admin_context()})


@pytest.fixture
def app(deployment):
    return client(deployment, start_copy=run_now)


def stored(deployment):
    datadir = deployment[0].filesystem_store_datadir
    return sorted(os.listdir(datadir)) if os.path.isdir(datadir) else []


def all_images(app):
    return app.get("/images/detail?is_public=none").json["images"]


def wait_for_status(app, image_id, wanted, deadline=10.0):
    """Poll HEAD until the status is `wanted` (a liveness bound, not a timing)."""
    stop = time.monotonic() + deadline
    while True:
        status = app.head(f"/images/{image_id}").headers["x-image-meta-status"]
        if status == wanted:
            return
        assert time.monotonic() < stop, f"image {image_id} still {status}"
        time.sleep(0.02)


# -- a copy ------------------------------------------------------------------------------

def test_a_copy_answers_queued_with_the_origins_size_then_becomes_active(deployment, origin):
    later = Deferred()
    app = client(deployment, start_copy=later)
    res = app.post("/images", headers={COPY: origin.url(f"/bytes/{SIZE}"),
                                       "x-image-meta-name": "copied"}, status=201)
    image = res.json["image"]
    assert (image["status"], image["size"], image["checksum"]) == ("queued", SIZE, None)
    assert res.headers["Location"] == image["uri"] and "ETag" not in res.headers
    # Between the answer and the copy the image is saving, owned by this process.
    head = app.head(f"/images/{image['id']}")
    assert head.headers["x-image-meta-status"] == "saving"
    later.run()
    head = app.head(f"/images/{image['id']}")
    assert head.headers["x-image-meta-status"] == "active"
    assert head.headers["x-image-meta-checksum"] == md5(pattern(SIZE))
    assert head.headers["x-image-meta-os_hash_value"] == hashlib.sha256(pattern(SIZE)).hexdigest()
    assert head.headers["x-image-meta-store"] == "file"
    assert app.get(f"/images/{image['id']}").body == pattern(SIZE)
    assert stored(deployment) == [str(image["id"])]


def test_the_copy_runs_on_a_background_thread(deployment, origin):
    app = client(deployment)
    image = app.post("/images", headers={COPY: origin.url(f"/bytes/{SIZE}")}).json["image"]
    wait_for_status(app, image["id"], "active")
    assert app.get(f"/images/{image['id']}").body == pattern(SIZE)


def test_an_empty_origin_gives_an_active_image_of_0_bytes(app, origin):
    image = app.post("/images", headers={COPY: origin.url("/bytes/0")}).json["image"]
    head = app.head(f"/images/{image['id']}").headers
    assert (head["x-image-meta-status"], head["x-image-meta-size"]) == ("active", "0")
    assert head["x-image-meta-checksum"] == md5(b"")


def test_an_origin_without_content_length_is_copied_to_its_end(app, origin):
    image = app.post("/images", headers={COPY: origin.url("/bytes/70000?nolength=1")}
                     ).json["image"]
    assert image["size"] == 0                     # unknown until the copy
    detail = app.head(f"/images/{image['id']}").headers
    assert (detail["x-image-meta-status"], detail["x-image-meta-size"]) == ("active", "70000")


def test_the_client_checksum_is_verified_in_any_case(app, origin):
    image = app.post("/images", headers={COPY: origin.url("/bytes/5000"),
                                         "x-image-meta-checksum": md5(pattern(5000)).upper(),
                                         "x-image-meta-size": "5000"}).json["image"]
    assert app.head(f"/images/{image['id']}").headers["x-image-meta-status"] == "active"


def test_copy_from_works_under_v1_paths_too(deployment, origin):
    from glance.api.root import RootApp
    conf, registry, stores = deployment
    root = RootApp(conf, registry, stores, {"v1": ImagesApp(conf, registry, stores,
                                                            start_copy=run_now)})
    app = webtest.TestApp(root, lint=True,
                          extra_environ={context.ENV_KEY: context.admin_context()})
    image = app.post("/v1/images", headers={COPY: origin.url("/bytes/10")}).json["image"]
    assert image["uri"].endswith(f"/v1/images/{image['id']}")
    assert app.get(f"/v1/images/{image['id']}").body == pattern(10)


# -- refused before any record --------------------------------------------------------------

@pytest.mark.parametrize("url", ["file:///etc/passwd", "swift+config://xxx", "ftp://h/x",
                                 "s3://bucket/key", "/relative/path", "http//no-colon"])
def test_other_schemes_are_400_external_sources_not_supported(app, url):
    res = app.post("/images", headers={COPY: url}, status=400)
    assert res.json["error"]["message"] == f"External sources are not supported: '{url}'"
    assert all_images(app) == []


def test_an_origin_answering_404_is_404_and_no_record(app, origin):
    res = app.post("/images", headers={COPY: origin.url("/status/404")}, status=404)
    assert res.json["error"]["message"] == "HTTP datastore could not find image at URI."
    assert all_images(app) == []


@pytest.mark.parametrize("path", ["/status/500", "/status/403"])
def test_an_origin_failing_otherwise_is_400_without_its_address(app, origin, path):
    res = app.post("/images", headers={COPY: origin.url(path)}, status=400)
    assert "origin is unavailable" in res.json["error"]["message"]
    assert "127.0.0.1" not in res.text and str(origin.port) not in res.text
    assert all_images(app) == []


def test_an_unreachable_origin_is_400_and_no_record(app):
    with Origin() as gone:
        url = gone.url("/bytes/10")
    app.post("/images", headers={COPY: url}, status=400)
    assert all_images(app) == []


def test_the_location_policy_refuses_before_the_origin_is_asked(deployment, origin):
    app = client(deployment, location_policy=LocationPolicy(allow_all=False),
                 start_copy=run_now)
    res = app.post("/images", headers={COPY: origin.url("/bytes/10")}, status=400)
    assert res.json["error"]["message"].startswith(f"{COPY} is not an allowed address")
    assert "127.0.0.1" not in res.text
    assert origin.requests == [] and all_images(app) == []


@pytest.mark.parametrize("other", [{"x-image-meta-location": "http://example.com/x"}])
def test_copy_from_with_a_location_is_400(app, origin, other):
    app.post("/images", headers={COPY: origin.url("/bytes/10"), **other}, status=400)
    assert origin.requests == [] and all_images(app) == []


def test_copy_from_with_a_body_is_400(app, origin):
    res = app.post("/images", b"data", headers={COPY: origin.url("/bytes/10"),
                                                "Content-Type": "application/octet-stream"},
                   status=400)
    assert "image data" in res.json["error"]["message"]
    assert origin.requests == [] and all_images(app) == []


def test_an_unknown_store_is_400_before_the_origin_is_asked(app, origin):
    app.post("/images", headers={COPY: origin.url("/bytes/10"), "x-image-meta-store": "tape"},
             status=400)
    assert origin.requests == [] and all_images(app) == []


def test_an_origin_larger_than_the_size_cap_is_413_and_no_record(deployment, origin):
    conf, registry, stores = deployment
    small = config.Config({**vars(conf), "image_size_cap": 1000})
    app = webtest.TestApp(ImagesApp(small, registry, stores, start_copy=run_now),
                          extra_environ={context.ENV_KEY: context.admin_context()})
    app.post("/images", headers={COPY: origin.url("/bytes/5000")}, status=413)
    assert all_images(app) == []


# -- failures while copying: killed, nothing kept ---------------------------------------------

def killed_reason(app, image_id):
    [image] = [i for i in all_images(app) if i["id"] == image_id]
    assert image["status"] == "killed"
    return image["status_reason"]


def test_an_origin_dying_mid_copy_kills_the_image_and_keeps_nothing(app, origin, deployment):
    image = app.post("/images", headers={COPY: origin.url(f"/drop/100000?of={SIZE}")}
                     ).json["image"]
    reason = killed_reason(app, image["id"])
    assert reason == f"copy failed: the image's origin is unavailable (image {image['id']})"
    assert "127.0.0.1" not in reason and str(origin.port) not in reason
    assert stored(deployment) == []
    app.get(f"/images/{image['id']}", status=404)


def test_a_size_mismatch_kills_the_image(app, origin, deployment):
    image = app.post("/images", headers={COPY: origin.url("/bytes/5000"),
                                         "x-image-meta-size": "4999"}).json["image"]
    assert "x-image-meta-size is 4999" in killed_reason(app, image["id"])
    assert stored(deployment) == []


def test_a_checksum_mismatch_kills_the_image(app, origin, deployment):
    image = app.post("/images", headers={COPY: origin.url("/bytes/5000"),
                                         "x-image-meta-checksum": md5(b"other")}).json["image"]
    assert "x-image-meta-checksum" in killed_reason(app, image["id"])
    assert stored(deployment) == []


def test_a_copy_cut_short_by_a_server_stop_is_killed_by_recovery(deployment, origin):
    never = Deferred()                       # the process "stops" before the copy runs
    app = client(deployment, start_copy=never)
    image = app.post("/images", headers={COPY: origin.url("/bytes/10")}).json["image"]
    conf, registry, stores = deployment
    done = recovery.reconcile(conf, registry, stores)
    assert done.killed == [image["id"]]
    assert "interrupted" in killed_reason(app, image["id"])


# -- bounds ------------------------------------------------------------------------------

def test_copies_past_the_cap_are_503_with_retry_after_and_no_record(deployment, origin):
    app = client(deployment)                 # max_background_copies = 1, real threads
    first = app.post("/images", headers={COPY: origin.url("/stall/1000")}).json["image"]
    res = app.post("/images", headers={COPY: origin.url("/bytes/10")}, status=503)
    assert res.headers["Retry-After"] == "1"
    assert res.json["error"]["type"] == "server.busy"
    assert [i["id"] for i in all_images(app)] == [first["id"]]
    origin.released.set()                    # the stalled origin ends its answer short
    wait_for_status(app, first["id"], "killed")
    deadline = time.monotonic() + 10         # the slot is given back after the kill
    while True:
        res = app.post("/images", headers={COPY: origin.url("/bytes/10")}, expect_errors=True)
        if res.status_int == 201:
            break
        assert res.status_int == 503 and time.monotonic() < deadline
        time.sleep(0.02)
    wait_for_status(app, res.json["image"]["id"], "active")


# -- PUT -------------------------------------------------------------------------------

def test_put_copies_into_a_queued_image(app, origin):
    queued = app.post("/images", headers={"x-image-meta-name": "later"}).json["image"]
    res = app.put(f"/images/{queued['id']}", headers={COPY: origin.url("/bytes/777")},
                  status=200)
    assert res.json["image"]["status"] == "queued" and res.json["image"]["size"] == 777
    assert app.get(f"/images/{queued['id']}").body == pattern(777)


def test_put_copy_from_on_an_active_image_is_409_and_asks_no_origin(app, origin):
    image = app.post("/images", b"abc", headers={
        "Content-Type": "application/octet-stream"}).json["image"]
    res = app.put(f"/images/{image['id']}", headers={COPY: origin.url("/bytes/10")}, status=409)
    assert res.json["error"]["message"] == (
        "Attempted to update Location field for an image not in queued status.")
    assert origin.requests == []


@pytest.mark.parametrize("source", [COPY, "x-image-meta-location"])
def test_a_non_owner_is_403_before_any_origin_is_contacted(deployment, origin, source):
    owner = client(deployment, context.RequestContext(tenant="a", roles=("member",)),
                   start_copy=run_now)
    other = client(deployment, context.RequestContext(tenant="b", roles=("member",)),
                   start_copy=run_now)
    image = owner.post("/images").json["image"]
    admin = client(deployment)
    admin.put(f"/images/{image['id']}", headers={"x-image-meta-is_public": "true"})
    other.put(f"/images/{image['id']}", headers={source: origin.url("/bytes/10")}, status=403)
    assert origin.requests == []
    assert admin.head(f"/images/{image['id']}").headers["x-image-meta-status"] == "queued"
