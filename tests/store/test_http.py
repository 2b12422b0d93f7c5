"""The http store against a fixture origin: streaming, errors, timeouts, redirects,
credentials, and the location policy on every hop."""

import base64
import contextlib
import hashlib
import ipaddress
import re
import socket
import threading
import time

import pytest

from glance.common import exception
from glance.common.netpolicy import LocationPolicy
from glance.store.http import HttpStore
from tests.fixtureapps.origin import PASSWORD, USER, pattern
from tests.store.conftest import make_conf

KIB = 1 << 10
MIB = 1 << 20
SECRET = f"{USER}:{PASSWORD}"
IMAGE = 7
LOOPBACK = [ipaddress.ip_network("127.0.0.1/32")]


@contextlib.contextmanager
def refused(cls, detail):
    """Expect a `cls` error whose detail (for the log) matches `detail` and
    whose message (for the client) names the image and no origin."""
    with pytest.raises(cls) as caught:
        yield caught
    assert re.search(detail, caught.value.detail), caught.value.detail
    assert f"image {IMAGE}" in caught.value.message
    for secret in ("127.0.0.1", "localhost", "http", "/"):
        assert secret not in caught.value.message


def resolver(table, seen=None):
    """A getaddrinfo stand-in: host -> [addresses]; records (host, port)."""
    def resolve(host, port, proto=0, **kwargs):
        if seen is not None:
            seen.append((host, port))
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, proto, "", (a, port)) for a in table[host]]
    return resolve


@pytest.fixture
def http(conf):
    return HttpStore(conf)


def read_all(data):
    return b"".join(data)


@pytest.fixture
def refused_port():
    # A bound socket that does not listen: connecting to it is refused.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def full_backlog_port():
    # A listener whose accept queue is full: new connections never complete.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        fillers.append(client)
    time.sleep(0.05)
    yield port
    for client in fillers:
        client.close()
    server.close()


# -- serving -------------------------------------------------------------------

def test_get_streams_the_body(http, origin):
    assert read_all(http.get(origin.url("/bytes/1000"), image_id=IMAGE)) == pattern(1000)


def test_get_size_comes_from_content_length(http, origin):
    with http.get(origin.url("/bytes/1000"), image_id=IMAGE) as data:
        assert data.size == 1000


def test_get_without_content_length_has_no_size(http, origin):
    with http.get(origin.url("/bytes/1000?nolength=1"), image_id=IMAGE) as data:
        assert data.size is None
        assert read_all(data) == pattern(1000)


def test_get_keeps_the_query_string(http, origin):
    read_all(http.get(origin.url("/bytes/10?sig=abc&x=1"), image_id=IMAGE))
    assert origin.requests[-1]["query"] == "sig=abc&x=1"


def test_get_yields_chunk_size_chunks(tmp_path, origin):
    http = HttpStore(make_conf(tmp_path, chunk_size="128K"))
    sizes = [len(chunk) for chunk in http.get(origin.url(f"/bytes/{300 * KIB}"),
                                              image_id=IMAGE)]
    assert sizes == [128 * KIB, 128 * KIB, 44 * KIB]


def test_chunks_are_full_without_content_length(tmp_path, origin):
    http = HttpStore(make_conf(tmp_path, chunk_size="128K"))
    sizes = [len(chunk) for chunk in http.get(origin.url(f"/bytes/{300 * KIB}?nolength=1"),
                                              image_id=IMAGE)]
    assert sizes == [128 * KIB, 128 * KIB, 44 * KIB]


def test_round_trip_20_mib_is_byte_exact(http, origin):
    received = hashlib.md5()
    with http.get(origin.url(f"/bytes/{20 * MIB}"), image_id=IMAGE) as data:
        for chunk in data:
            received.update(chunk)
    assert received.hexdigest() == hashlib.md5(pattern(20 * MIB)).hexdigest()


def test_close_twice_is_safe(http, origin):
    data = http.get(origin.url("/bytes/10"), image_id=IMAGE)
    data.close()
    data.close()


def test_store_is_read_only(http):
    with pytest.raises(exception.Invalid, match="read-only"):
        http.add(1, [b"x"])


def test_delete_does_nothing(http, origin):
    count = len(origin.requests)
    assert http.delete(origin.url("/bytes/10"), image_id=IMAGE) is None
    assert len(origin.requests) == count


def test_free_space_is_unknown(http):
    assert http.free_space() is None


def test_store_attributes(http):
    assert (http.name, http.schemes, http.writable) == ("http", ("http", "https"), False)


@pytest.mark.parametrize("location", ["ftp://host/x", "http://", "http://host:99999/x",
                                      "http://host/a b"])
def test_bad_location_is_invalid(http, location):
    with pytest.raises(exception.Invalid):
        http.get(location, image_id=IMAGE)


# -- the origin failing ----------------------------------------------------------

def test_404_is_origin_unavailable(http, origin):
    with refused(exception.OriginUnavailable, "404"):
        http.get(origin.url("/status/404"), image_id=IMAGE)


def test_500_is_origin_unavailable(http, origin):
    with refused(exception.OriginUnavailable, "500"):
        http.get(origin.url("/status/500"), image_id=IMAGE)


def test_the_log_names_the_origin_and_the_client_only_the_image(http, origin):
    with refused(exception.OriginUnavailable, f"127.0.0.1:{origin.port}/status/404") as caught:
        http.get(origin.url("/status/404"), image_id=IMAGE)
    assert caught.value.message == f"the image's origin is unavailable (image {IMAGE})"
    assert caught.value.image_id == IMAGE


def test_refused_connection_is_origin_unavailable_quickly(http, refused_port):
    started = time.monotonic()
    with refused(exception.OriginUnavailable, "refused"):
        http.get(f"http://127.0.0.1:{refused_port}/x", image_id=IMAGE)
    assert time.monotonic() - started < 0.5


def test_unresolvable_host_is_origin_unavailable(http):
    with refused(exception.OriginUnavailable, "resolve"):
        http.get("http://no-such-host.invalid/x", image_id=IMAGE)


def test_connect_timeout_is_origin_unavailable(http, full_backlog_port):
    started = time.monotonic()
    with refused(exception.OriginUnavailable, "no connection in time"):
        http.get(f"http://127.0.0.1:{full_backlog_port}/x", image_id=IMAGE)
    assert time.monotonic() - started < 2


def test_origin_stalling_before_headers_times_out(http, origin):
    started = time.monotonic()
    with refused(exception.OriginUnavailable, "no answer within 1 seconds"):
        http.get(origin.url("/stall"), image_id=IMAGE)
    assert 0.9 < time.monotonic() - started < 3


def test_origin_stalling_mid_body_raises_from_iteration(http, origin):
    data = http.get(origin.url(f"/stall/{100 * KIB}"), image_id=IMAGE)
    started = time.monotonic()
    with refused(exception.OriginUnavailable, "no data within"):
        read_all(data)
    assert time.monotonic() - started < 2


def test_body_shorter_than_content_length_raises_from_iteration(http, origin):
    data = http.get(origin.url(f"/drop/{100 * KIB}?of={200 * KIB}"), image_id=IMAGE)
    assert data.size == 200 * KIB
    with refused(exception.OriginUnavailable, f"after {100 * KIB} of {200 * KIB}"):
        read_all(data)


def test_short_body_error_comes_after_the_bytes_that_arrived(http, origin):
    data = http.get(origin.url(f"/drop/{100 * KIB}?of={200 * KIB}"), image_id=IMAGE)
    received = []
    with pytest.raises(exception.OriginUnavailable):
        for chunk in data:
            received.append(chunk)
    assert b"".join(received) == pattern(100 * KIB)


def test_connection_reset_is_origin_unavailable(http, origin):
    with refused(exception.OriginUnavailable, "connection reset"):
        read_all(http.get(origin.url(f"/reset/{100 * KIB}?of={200 * KIB}"), image_id=IMAGE))


def test_iteration_error_closes_the_data(http, origin):
    data = http.get(origin.url("/drop/10?of=20"), image_id=IMAGE)
    with pytest.raises(exception.OriginUnavailable):
        read_all(data)
    assert data.closed


# -- redirects -------------------------------------------------------------------

def test_relative_redirect_is_followed(http, origin):
    assert read_all(http.get(origin.url("/redirect/1/bytes/100"), image_id=IMAGE)) == pattern(100)


def test_absolute_redirect_is_followed(http, origin):
    assert read_all(http.get(origin.url("/redirect/1/bytes/100?absolute=1"), image_id=IMAGE)) == pattern(100)


@pytest.mark.parametrize("status", [301, 303, 307, 308])
def test_every_redirect_status_is_followed(http, origin, status):
    assert read_all(http.get(origin.url(f"/redirect/1/bytes/10?status={status}"), image_id=IMAGE)) == pattern(10)


def test_five_redirects_are_followed(http, origin):
    assert read_all(http.get(origin.url("/redirect/5/bytes/100"), image_id=IMAGE)) == pattern(100)


def test_six_redirects_are_too_many(http, origin):
    with refused(exception.OriginUnavailable, "redirected more than 5 times"):
        http.get(origin.url("/redirect/6/bytes/100"), image_id=IMAGE)


def test_redirect_loop_fails(http, origin):
    with refused(exception.OriginUnavailable, "redirected more than"):
        http.get(origin.url("/loop"), image_id=IMAGE)


def test_redirect_keeps_the_query_string(http, origin):
    read_all(http.get(origin.url("/redirect/2/bytes/10?sig=xyz"), image_id=IMAGE))
    assert origin.requests[-1]["path"] == "/bytes/10"
    assert origin.requests[-1]["query"] == "sig=xyz"


def test_redirect_to_other_scheme_is_refused(http, origin):
    with refused(exception.OriginUnavailable, "not http or https"):
        http.get(origin.url("/to?url=file:///etc/passwd"), image_id=IMAGE)


def test_redirect_to_a_refusing_origin_logs_that_origin(http, origin, refused_port):
    with refused(exception.OriginUnavailable, f"127.0.0.1:{refused_port}"):
        http.get(origin.url(f"/to?url=http://127.0.0.1:{refused_port}/x"), image_id=IMAGE)


def test_redirect_ending_in_404_is_origin_unavailable(http, origin):
    with refused(exception.OriginUnavailable, "404"):
        http.get(origin.url("/redirect/2/status/404"), image_id=IMAGE)


# -- the address check ---------------------------------------------------------------

def test_a_name_is_looked_up_once_and_the_checked_address_connected_to(conf, origin):
    # origin.test does not exist in DNS: only the policy's answer can reach the origin.
    seen = []
    policy = LocationPolicy(LOOPBACK, resolve=resolver({"origin.test": ["127.0.0.1"]}, seen))
    http = HttpStore(conf, policy=policy)
    url = f"http://origin.test:{origin.port}/bytes/5"
    assert read_all(http.get(url, image_id=IMAGE)) == pattern(5)
    assert seen == [("origin.test", origin.port)]


def test_default_ports_are_looked_up(conf):
    seen = []
    policy = LocationPolicy(resolve=resolver({"example.com": ["10.0.0.1"]}, seen))
    http = HttpStore(conf, policy=policy)
    for url in ("http://example.com/x", "https://example.com/x"):
        with refused(exception.Forbidden, "example.com/x resolves to 10.0.0.1"):
            http.get(url, image_id=IMAGE)
    assert seen == [("example.com", 80), ("example.com", 443)]


def test_refused_address_is_forbidden_without_connecting(conf, origin):
    count = len(origin.requests)
    http = HttpStore(conf, policy=LocationPolicy())
    with refused(exception.Forbidden, "resolves to 127.0.0.1") as caught:
        http.get(origin.url("/bytes/1"), image_id=IMAGE)
    assert "not an allowed address" in caught.value.message
    assert len(origin.requests) == count


def test_address_check_applies_to_every_redirect_target(conf, origin):
    seen = []
    policy = LocationPolicy(LOOPBACK, resolve=resolver({"origin.test": ["127.0.0.1"]}, seen))
    http = HttpStore(conf, policy=policy)
    read_all(http.get(f"http://origin.test:{origin.port}/redirect/3/bytes/1", image_id=IMAGE))
    assert seen == [("origin.test", origin.port)] * 4


def test_refused_redirect_target_is_forbidden(conf, origin):
    policy = LocationPolicy(LOOPBACK, resolve=resolver({"localhost": ["127.0.0.2"]}))
    http = HttpStore(conf, policy=policy)
    with refused(exception.Forbidden, "localhost"):
        http.get(origin.url(f"/to?url=http://localhost:{origin.port}/bytes/1"), image_id=IMAGE)


def test_redirect_to_an_ipv4_embedding_ipv6_address_is_forbidden(conf, origin):
    http = HttpStore(conf, policy=LocationPolicy(LOOPBACK))
    # 127.0.0.1 is allowed here (the origin), 127.0.0.2 is not.
    with refused(exception.Forbidden, "::ffff:7f00:2"):
        http.get(origin.url(f"/to?url=http://[::ffff:127.0.0.2]:{origin.port}/bytes/1"),
                 image_id=IMAGE)


def test_address_check_applies_to_get_size(conf, origin):
    http = HttpStore(conf, policy=LocationPolicy())
    with pytest.raises(exception.Forbidden):
        http.get_size(origin.url("/bytes/1"))


def test_a_slow_name_look_up_is_cut_short(conf):
    answer = threading.Event()

    def slow(host, port, **kwargs):
        answer.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "too late")
    policy = LocationPolicy(allow_all=True, resolve=slow, resolve_timeout=0.2)
    try:
        with refused(exception.OriginUnavailable, "name look-up of slow.test took too long"):
            HttpStore(conf, policy=policy).get("http://slow.test/x", image_id=IMAGE)
    finally:
        answer.set()


# -- credentials -------------------------------------------------------------------

def _basic():
    return "Basic " + base64.b64encode(SECRET.encode()).decode()


def test_credentials_are_sent_as_basic_auth(http, origin):
    assert read_all(http.get(origin.url("/auth/10", userinfo=SECRET), image_id=IMAGE)) == pattern(10)
    assert origin.requests[-1]["authorization"] == _basic()


def test_percent_encoded_credentials_are_decoded(http, origin):
    read_all(http.get(origin.url("/bytes/1", userinfo="us%40er:p%3Ass"), image_id=IMAGE))
    expected = "Basic " + base64.b64encode(b"us@er:p:ss").decode()
    assert origin.requests[-1]["authorization"] == expected


def test_no_authorization_without_credentials(http, origin):
    read_all(http.get(origin.url("/bytes/1"), image_id=IMAGE))
    assert origin.requests[-1]["authorization"] is None


def test_credentials_follow_a_same_origin_redirect(http, origin):
    read_all(http.get(origin.url("/redirect/1/auth/10?absolute=1", userinfo=SECRET), image_id=IMAGE))
    assert origin.requests[-1]["authorization"] == _basic()


def test_credentials_do_not_follow_a_redirect_to_another_host(http, origin):
    other = f"http://localhost:{origin.port}/auth/10"
    with refused(exception.OriginUnavailable, "401"):
        http.get(origin.url(f"/to?url={other}", userinfo=SECRET), image_id=IMAGE)
    assert origin.requests[-1]["authorization"] is None


@pytest.mark.parametrize("path", ["/status/404", "/stall", "/redirect/6/bytes/1",
                                  "/to?url=ftp://x/y"])
def test_credentials_never_appear_in_origin_errors(http, origin, path):
    with pytest.raises(exception.OriginUnavailable) as caught:
        http.get(origin.url(path, userinfo=SECRET), image_id=IMAGE)
    assert PASSWORD not in caught.value.message
    assert USER not in caught.value.message


def test_credentials_never_appear_when_refused(http, refused_port):
    with pytest.raises(exception.OriginUnavailable) as caught:
        http.get(f"http://{SECRET}@127.0.0.1:{refused_port}/x", image_id=IMAGE)
    assert PASSWORD not in str(caught.value)
    assert USER not in str(caught.value)


def test_credentials_never_appear_when_forbidden(conf, origin):
    http = HttpStore(conf, policy=LocationPolicy())
    with pytest.raises(exception.Forbidden) as caught:
        http.get(origin.url("/bytes/1", userinfo=SECRET), image_id=IMAGE)
    assert PASSWORD not in caught.value.message


def test_credentials_never_appear_in_mid_stream_errors(http, origin):
    data = http.get(origin.url("/drop/10?of=20", userinfo=SECRET), image_id=IMAGE)
    with pytest.raises(exception.OriginUnavailable) as caught:
        read_all(data)
    assert PASSWORD not in caught.value.message


def test_query_string_is_not_shown_in_errors(http, origin):
    with pytest.raises(exception.OriginUnavailable) as caught:
        http.get(origin.url("/status/404?signature=topsecret"), image_id=IMAGE)
    assert "topsecret" not in caught.value.message


# -- get_size --------------------------------------------------------------------------

def test_get_size_uses_head(http, origin):
    assert http.get_size(origin.url("/bytes/1234")) == 1234
    assert origin.requests[-1]["method"] == "HEAD"


def test_get_size_falls_back_to_get_without_head_length(http, origin):
    assert http.get_size(origin.url("/bytes/1234?headlength=none")) == 1234
    assert origin.requests[-1]["method"] == "GET"


def test_get_size_does_not_trust_a_zero_head_length(http, origin):
    assert http.get_size(origin.url("/bytes/1234?headlength=0")) == 1234


def test_get_size_ignores_a_malformed_head_length(http, origin):
    assert http.get_size(origin.url("/bytes/1234?headlength=12abc")) == 1234


def test_get_size_of_empty_data_is_zero(http, origin):
    assert http.get_size(origin.url("/bytes/0")) == 0


def test_get_size_falls_back_to_get_when_head_is_refused(http, origin):
    assert http.get_size(origin.url("/bytes/1234?nohead=1")) == 1234


def test_get_size_is_none_when_origin_never_says(http, origin):
    assert http.get_size(origin.url("/bytes/1234?nolength=1")) is None


def test_get_size_follows_redirects(http, origin):
    assert http.get_size(origin.url("/redirect/2/bytes/77")) == 77


def test_get_size_of_missing_data_is_origin_unavailable(http, origin):
    with refused(exception.OriginUnavailable, "404"):
        http.get_size(origin.url("/status/404"), image_id=IMAGE)


def test_get_size_of_down_origin_is_origin_unavailable(http, refused_port):
    with refused(exception.OriginUnavailable, "refused"):
        http.get_size(f"http://127.0.0.1:{refused_port}/x", image_id=IMAGE)
