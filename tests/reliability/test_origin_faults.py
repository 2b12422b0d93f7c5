"""An http-store origin that stalls, drops, resets or is down, through the real servers.

Before the API has answered, an origin failure is a 502 naming the origin;
once the data is flowing (200 and Content-Length already sent) the API cuts
the connection, so the client sees a short body, never wrong bytes.  Either
way the server goes on answering.  Ranges go to the origin when it honours
them and are cut out of the whole data when it does not.
"""

import socket
import time

import pytest

from glance import client as gc
from tests.fixtureapps.origin import pattern
from tests.fixtureapps.ranged_origin import RangedOrigin
from tests.functional.services import running_services
from tests.reliability.helpers import client_for

pytestmark = pytest.mark.functional


@pytest.fixture(scope="module")
def origin():
    with RangedOrigin() as running:
        yield running


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    env = {"GLANCE_HTTP_STORE_READ_TIMEOUT": "1", "GLANCE_HTTP_STORE_CONNECT_TIMEOUT": "1",
           "GLANCE_ALLOWED_LOCATION_NETWORKS": "127.0.0.0/8"}
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


def test_an_origin_that_stalls_mid_body_cuts_the_download(glance, origin):
    image_id = register(glance, origin.url(f"/stall/{3 << 20}"), 6 << 20)
    started = time.monotonic()
    with pytest.raises(gc.ClientConnectionError):
        read_all(glance, image_id)
    assert time.monotonic() - started < 10
    assert still_serving(glance)


def test_an_origin_that_stalls_before_the_first_chunk_is_502(glance, origin):
    image_id = register(glance, origin.url("/stall/1000"), 2000)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id)
    assert caught.value.status == 502 and "no data within" in caught.value.message
    assert still_serving(glance)


def test_an_origin_that_never_answers_is_502(glance, origin):
    image_id = register(glance, origin.url("/stall"), 10)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id)
    assert caught.value.status == 502 and caught.value.code == "store.origin_unavailable"
    assert still_serving(glance)


@pytest.mark.parametrize("how", ["drop", "reset"])
def test_an_origin_that_drops_mid_body_cuts_the_download(glance, origin, how):
    image_id = register(glance, origin.url(f"/{how}/{2 << 20}?of={3 << 20}"), 3 << 20)
    with pytest.raises(gc.ClientConnectionError):
        read_all(glance, image_id)
    assert still_serving(glance)


def test_an_origin_that_is_down_is_502(glance):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]        # nobody listens once it is closed
    image_id = register(glance, f"http://127.0.0.1:{port}/x", 10)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id)
    assert caught.value.status == 502 and "connection refused" in caught.value.message


def test_registering_a_stalled_origin_without_a_size_is_400(glance, origin):
    with pytest.raises(gc.Invalid):
        glance.add_image({"name": "remote", "location": origin.url("/stall")})
    assert still_serving(glance)


def test_a_range_goes_to_an_origin_that_honours_it(glance, origin):
    image_id = register(glance, origin.url("/ranged/300000"), 300000)
    _, chunks = glance.get_image(image_id, offset=123457)
    assert chunks.offset == 123457
    assert b"".join(chunks) == pattern(300000)[123457:]
    assert origin.requests[-1]["range"] == "bytes=123457-"


def test_a_range_is_cut_out_when_the_origin_ignores_it(glance, origin):
    image_id = register(glance, origin.url("/bytes/300000"), 300000)
    _, chunks = glance.get_image(image_id, offset=250001)
    assert chunks.offset == 250001
    assert b"".join(chunks) == pattern(300000)[250001:]


def test_an_origin_answering_the_wrong_range_is_502(glance, origin):
    image_id = register(glance, origin.url("/ranged/1000?wrong=1"), 1000)
    with pytest.raises(gc.ClientError) as caught:
        read_all(glance, image_id, offset=10)
    assert caught.value.status == 502


def test_an_origin_shorter_than_registered_cuts_the_download(glance, origin):
    image_id = register(glance, origin.url("/bytes/1000"), 5000)
    with pytest.raises(gc.ClientConnectionError):
        read_all(glance, image_id)
    assert still_serving(glance)
