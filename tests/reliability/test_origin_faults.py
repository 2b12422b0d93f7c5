"""An http-store origin that stalls, drops, resets, is down or never answers.

Before the API has answered, an origin failure is a 502 saying "the image's
origin is unavailable" with the image id (the origin itself only in the
log); once the data is flowing (200 and Content-Length already sent) the
API cuts the connection, so the client sees a short body, never wrong
bytes.  Either way the server goes on answering.  Ranges go to the origin
when it honours them and are cut out of the whole data when it does not.

Most tests run the real servers.  The tarpit test runs the API in-process
behind `RunSlots`, a stand-in for the server's run slots and its
`glance.give_back_slot` (issue 15, item 4): many downloads from an origin
that never answers must neither pass the per-origin cap nor keep a short
request from being answered.
"""

import os
import socket
import threading
import time

import pytest
import webtest

from glance import client as gc
from glance.api.v1.images import ImagesApp
from glance.common.wsgi import GIVE_BACK_SLOT
from glance.common import config, context
from glance.registry import ImageRegistry
from glance.store import Stores
from tests.fixtureapps.origin import pattern
from tests.fixtureapps.ranged_origin import RangedOrigin
from tests.fixtureapps.tarpit import Tarpit
from tests.functional.services import LOOPBACK_ORIGINS, running_services
from tests.reliability.helpers import client_for

ORIGIN_UNAVAILABLE = "the image's origin is unavailable"


@pytest.fixture(scope="module")
def origin():
    with RangedOrigin() as running:
        yield running


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    env = {"GLANCE_HTTP_STORE_READ_TIMEOUT": "1", "GLANCE_HTTP_STORE_CONNECT_TIMEOUT": "1",
           "GLANCE_HTTP_STORE_FIRST_BYTE_TIMEOUT": "2", **LOOPBACK_ORIGINS}
    with running_services(tmp_path_factory.mktemp("origin"), extra_env=env) as running:
        yield running


@pytest.fixture
def glance(services):
    with client_for(services) as client:
        yield client


def register(glance, url, size):
    return glance.add_image({"name": "remote", "location": url, "size": size})["id"]


def read_all(glance, image_id, **kwargs):
    _, chunks = glance.get_image(image_id, **kwargs)
    return b"".join(chunks)


def still_serving(glance):
    return glance.get_images(limit=1) is not None


@pytest.mark.functional
def test_an_origin_that_stalls_mid_body_cuts_the_download(glance, origin):
    image_id = register(glance, origin.url(f"/stall/{3 << 20}"), 6 << 20)
    started = time.monotonic()
    with pytest.raises(gc.ClientConnectionError):
        read_all(glance, image_id)
    assert time.monotonic() - started < 10
    assert still_serving(glance)


@pytest.mark.functional
def test_an_origin_that_stalls_before_the_first_chunk_is_502(glance, origin):
    image_id = register(glance, origin.url("/stall/1000"), 2000)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id)
    assert caught.value.status == 502 and ORIGIN_UNAVAILABLE in caught.value.message
    assert f"image {image_id}" in caught.value.message and "stall" not in caught.value.message
    assert still_serving(glance)


@pytest.mark.functional
def test_an_origin_that_never_answers_is_502(glance, origin):
    image_id = register(glance, origin.url("/stall"), 10)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id)
    assert caught.value.status == 502 and caught.value.code == "store.origin_unavailable"
    assert still_serving(glance)


@pytest.mark.parametrize("how", ["drop", "reset"])
@pytest.mark.functional
def test_an_origin_that_drops_mid_body_cuts_the_download(glance, origin, how):
    image_id = register(glance, origin.url(f"/{how}/{2 << 20}?of={3 << 20}"), 3 << 20)
    with pytest.raises(gc.ClientConnectionError):
        read_all(glance, image_id)
    assert still_serving(glance)


@pytest.mark.functional
def test_an_origin_that_is_down_is_502(glance):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]        # nobody listens once it is closed
    image_id = register(glance, f"http://127.0.0.1:{port}/x", 10)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id)
    assert caught.value.status == 502 and ORIGIN_UNAVAILABLE in caught.value.message
    assert str(port) not in caught.value.message


@pytest.mark.functional
def test_registering_a_stalled_origin_without_a_size_is_400(glance, origin):
    with pytest.raises(gc.Invalid):
        glance.add_image({"name": "remote", "location": origin.url("/stall")})
    assert still_serving(glance)


@pytest.mark.functional
def test_a_range_goes_to_an_origin_that_honours_it(glance, origin):
    image_id = register(glance, origin.url("/ranged/300000"), 300000)
    _, chunks = glance.get_image(image_id, offset=123457)
    assert chunks.offset == 123457
    assert b"".join(chunks) == pattern(300000)[123457:]
    assert origin.requests[-1]["range"] == "bytes=123457-"


@pytest.mark.functional
def test_a_range_is_cut_out_when_the_origin_ignores_it(glance, origin):
    image_id = register(glance, origin.url("/bytes/300000"), 300000)
    _, chunks = glance.get_image(image_id, offset=250001)
    assert chunks.offset == 250001
    assert b"".join(chunks) == pattern(300000)[250001:]


@pytest.mark.functional
def test_an_origin_answering_the_wrong_range_is_502(glance, origin):
    image_id = register(glance, origin.url("/ranged/1000?wrong=1"), 1000)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id, offset=10)
    assert caught.value.status == 502


@pytest.mark.functional
def test_an_origin_shorter_than_registered_cuts_the_download(glance, origin):
    image_id = register(glance, origin.url("/bytes/1000"), 5000)
    with pytest.raises(gc.ClientConnectionError):
        read_all(glance, image_id)
    assert still_serving(glance)


# -- a tarpit origin, in-process behind stand-in run slots ------------------------------

class RunSlots:
    """What the server does with run slots (httpd): a request takes one of
    `count` before the app runs and holds it until its answer is written,
    unless the app gives it back early through `environ[GIVE_BACK_SLOT]`."""

    def __init__(self, app, count):
        self.app = app
        self.free = threading.BoundedSemaphore(count)

    def __call__(self, environ, start_response):
        self.free.acquire()
        held = [True]
        lock = threading.Lock()

        def give_back():
            with lock:
                if held[0]:
                    held[0] = False
                    self.free.release()
        environ[GIVE_BACK_SLOT] = give_back
        try:
            return list(self.app(environ, start_response))   # written in the slot
        finally:
            give_back()


def in_process_api(tmp_path, slots, **options):
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images"),
        **LOOPBACK_ORIGINS}, **options)
    api = ImagesApp(conf, ImageRegistry.from_conf(conf), Stores(conf))

    def as_admin(environ, start_response):
        environ[context.ENV_KEY] = context.admin_context()
        return api(environ, start_response)
    return webtest.TestApp(RunSlots(as_admin, slots))


def test_tarpit_downloads_neither_pass_the_cap_nor_stop_a_short_request(tmp_path, figures):
    # The first-byte timeout is long: only the test ends the tarpit's fetches.
    app = in_process_api(tmp_path, slots=2, http_store_first_byte_timeout="30",
                         http_store_max_fetches_per_origin="3")
    local = app.post("/images", os.urandom(1000), status=201,
                     headers={"Content-Type": "application/octet-stream"}).json["image"]
    answers = []
    with Tarpit() as tarpit:
        remote = app.post("/images", status=201, headers={
            "x-image-meta-location": tarpit.url(), "x-image-meta-size": "10"}).json["image"]

        def download():
            res = app.get(f"/images/{remote['id']}", expect_errors=True)
            answers.append((res.status_int, res.headers.get("Retry-After")))
        downloads = [threading.Thread(target=download, daemon=True) for _ in range(10)]
        try:
            for thread in downloads:
                thread.start()
            assert tarpit.wait_for(3)
            waited = time.monotonic() + 10
            while len(answers) < 7 and time.monotonic() < waited:
                time.sleep(0.01)        # the seven over the cap are answered at once
            short = {}
            head = threading.Thread(target=lambda: short.update(
                res=app.head(f"/images/{local['id']}", expect_errors=True)), daemon=True)
            head.start()
            head.join(10)
            answered_while_held = tarpit.open == 3 and "res" in short
            refused = sorted(answers)
        finally:
            tarpit.release()
            for thread in downloads:
                thread.join(20)
        most = tarpit.most
    figures(downloads=10, origin_connections_at_most=most, busy_answers=len(refused))
    assert answered_while_held and short["res"].status_int == 200
    assert most == 3
    assert refused == [(503, "30")] * 7
    assert sorted(status for status, _ in answers) == [502] * 3 + [503] * 7
