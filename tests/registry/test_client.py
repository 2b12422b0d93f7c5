"""RegistryClient against the real registry app on a loopback port, and
against scripted connections for the reconnect rules."""

import contextlib
import http.client
import socket
import threading
import time

import pytest

from glance.common import config, exception
from glance.common import context as ctx
from glance.common.context import RequestContext
from glance.registry import RegistryClient, connect, server, service
from tests.registry.helpers import ADMIN, ALICE, ANON, BOB, NOAUTH, memory_registry

try:
    from glance.httpd.server import WSGIServer
except ImportError:     # pragma: no cover - the server is written separately
    WSGIServer = None


def trusting(app, seen=None):
    """A stand-in for the context filter's trusted-proxy mode: the context
    comes from X-Tenant-Id/X-User-Id/X-Roles/X-Auth-Token."""
    def filtered(environ, start_response):
        def header(name):
            value = environ.get(name)
            return None if value is None else value.encode("latin-1").decode("utf-8")
        roles = tuple(role for role in (header("HTTP_X_ROLES") or "").split(",") if role)
        environ[ctx.ENV_KEY] = RequestContext(
            tenant=header("HTTP_X_TENANT_ID"), user=header("HTTP_X_USER_ID"), roles=roles,
            is_admin="admin" in roles, auth_tok=header("HTTP_X_AUTH_TOKEN"))
        if seen is not None:
            seen.append(dict(environ))
        return app(environ, start_response)
    return filtered


@contextlib.contextmanager
def serving(app, idle_timeout=60.0):
    """`app` on a free loopback port; yields its URL."""
    if WSGIServer is not None:
        httpd = WSGIServer(app, bind_port=0, server_threads=4, idle_timeout=idle_timeout,
                           shutdown_timeout=1.0)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join(5)
    else:   # pragma: no cover
        from socketserver import ThreadingMixIn
        from wsgiref import simple_server

        class Server(ThreadingMixIn, simple_server.WSGIServer):
            daemon_threads = True
        httpd = simple_server.make_server("127.0.0.1", 0, app, server_class=Server)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_port}"
        finally:
            httpd.shutdown()
            httpd.server_close()


needs_keep_alive = pytest.mark.skipif(WSGIServer is None, reason="needs the HTTP/1.1 server")


@pytest.fixture
def seen():
    return []


@pytest.fixture
def url(seen):
    with serving(trusting(server.RegistryApp(memory_registry()), seen)) as address:
        yield address


@pytest.fixture
def client(url):
    registry = RegistryClient(url, timeout=5.0)
    yield registry
    registry.close()


@pytest.fixture(params=["in-process", "http"])
def either(request):
    """The same registry behaviour through both implementations."""
    if request.param == "in-process":
        yield memory_registry()
    else:
        with serving(trusting(server.RegistryApp(memory_registry()))) as address:
            remote = RegistryClient(address, timeout=5.0)
            yield remote
            remote.close()


def canned(status, body, content_type="application/json", delay=0.0):
    def app(environ, start_response):
        time.sleep(delay)
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]
    return app


# -- the five methods, same behaviour both ways --------------------------------------

def test_create_and_get(either):
    image = either.create_image(ALICE, {"name": "a", "properties": {"k": "v"}})
    assert either.get_image(ALICE, image["id"]) == image


def test_update_merges_and_purges(either):
    either.create_image(ALICE, {"properties": {"a": "1"}})
    assert either.update_image(ALICE, 1, {"properties": {"b": "2"}})["properties"] == {
        "a": "1", "b": "2"}
    assert either.update_image(ALICE, 1, {}, purge_props=True)["properties"] == {}


def test_delete_then_get_is_not_found(either):
    either.create_image(ALICE, {})
    assert either.delete_image(ALICE, 1)["deleted"] is True
    with pytest.raises(exception.NotFound):
        either.get_image(ALICE, 1)


def test_lists_brief_and_detailed(either):
    either.create_image(ALICE, {"name": "b"})
    either.create_image(ALICE, {"name": "a", "is_public": True})
    assert [i["name"] for i in either.list_images(ALICE, {"sort_key": "name",
                                                          "sort_dir": "asc"}, False)] == ["a", "b"]
    assert "properties" in either.list_images(ALICE, {}, True)[0]


def test_visibility_follows_the_context(either):
    either.create_image(ALICE, {})
    with pytest.raises(exception.NotFound):
        either.get_image(BOB, 1)


def test_location_follows_the_context(either):
    either.create_image(ALICE, {"location": "file:///x"})
    assert "location" not in either.get_image(ALICE, 1)
    assert either.get_image(ADMIN, 1)["location"] == "file:///x"


@pytest.mark.parametrize("call,error,message", [
    (lambda r: r.create_image(ALICE, {"disk_format": "qcow3"}), exception.Invalid, "qcow3"),
    (lambda r: r.get_image(ALICE, 99), exception.NotFound, "99"),
    (lambda r: r.get_image(ALICE, "../etc"), exception.NotFound, "no such"),
    (lambda r: r.update_image(BOB, 1, {"name": "x"}), exception.Forbidden, "tenant"),
    (lambda r: r.delete_image(ALICE, 99), exception.NotFound, "99"),
    (lambda r: r.create_image(ALICE, {"id": 1}), exception.Duplicate, "1"),
    (lambda r: r.list_images(ALICE, {"is_public": "none"}, False), exception.Forbidden, "admin"),
    (lambda r: r.list_images(ALICE, {"marker": "99"}, False), exception.Invalid, "marker"),
    (lambda r: r.list_images(ALICE, {"limit": "-1"}, False), exception.Invalid, "limit"),
])
def test_errors_are_the_same_domain_errors(either, call, error, message):
    either.create_image(ALICE, {"is_public": True})
    with pytest.raises(error, match=message):
        call(either)


# -- what goes over the wire ---------------------------------------------------------

def test_the_context_travels_as_headers(client, seen):
    client.list_images(RequestContext(tenant="t1", user="u1", roles=("member", "x"),
                                      auth_tok="tok"), {}, False)
    environ = seen[-1]
    assert (environ["HTTP_X_TENANT_ID"], environ["HTTP_X_USER_ID"], environ["HTTP_X_ROLES"],
            environ["HTTP_X_AUTH_TOKEN"]) == ("t1", "u1", "member,x", "tok")


def test_missing_context_values_send_no_headers(client, seen):
    client.list_images(ANON, {}, False)
    assert not {"HTTP_X_TENANT_ID", "HTTP_X_USER_ID", "HTTP_X_ROLES",
                "HTTP_X_AUTH_TOKEN"} & set(seen[-1])


def test_an_admin_context_carries_the_admin_role(client, seen):
    client.list_images(RequestContext(is_admin=True), {}, False)
    assert seen[-1]["HTTP_X_ROLES"] == "admin"


def test_a_non_ascii_tenant_travels_as_utf8(client):
    tenant = RequestContext(tenant="équipe")
    assert client.create_image(tenant, {})["owner"] == "équipe"


def test_a_header_breaking_context_value_is_invalid(client, seen):
    with pytest.raises(exception.Invalid, match="X-Tenant-Id"):
        client.list_images(RequestContext(tenant="a\r\nX-Roles: admin"), {}, False)
    assert seen == []


def test_query_parameters_are_url_encoded_as_utf8(client):
    client.create_image(ALICE, {"name": "ü &=#?+", "properties": {"k": "ä b"}})
    client.create_image(ALICE, {"name": "other"})
    found = client.list_images(ALICE, {"name": "ü &=#?+", "property-k": "ä b"}, False)
    assert [image["id"] for image in found] == [1]


def test_non_string_parameters_are_sent_as_text(client):
    client.create_image(ALICE, {})
    client.create_image(ALICE, {})
    assert len(client.list_images(ALICE, {"limit": 1}, False)) == 1


def test_the_purge_header_is_sent_only_when_purging(client, seen):
    client.create_image(ALICE, {})
    client.update_image(ALICE, 1, {})
    assert "HTTP_X_GLANCE_REGISTRY_PURGE_PROPS" not in seen[-1]
    client.update_image(ALICE, 1, {}, purge_props=True)
    assert seen[-1]["HTTP_X_GLANCE_REGISTRY_PURGE_PROPS"] == "true"


def test_a_base_path_in_the_url_prefixes_every_request():
    fake = FakeConnection()
    RegistryClient("http://registry:9191/base/", connection_factory=lambda: fake).get_image(
        ALICE, 1)
    assert fake.requests[0][1] == "/base/images/1"


def test_values_that_are_not_json_are_invalid(client):
    with pytest.raises(exception.Invalid):
        client.create_image(ALICE, {"name": object()})


# -- error answers -------------------------------------------------------------------

@pytest.mark.parametrize("status,error", [
    ("400 Bad Request", exception.Invalid), ("401 Unauthorized", exception.NotAuthenticated),
    ("403 Forbidden", exception.Forbidden), ("404 Not Found", exception.NotFound),
    ("409 Conflict", exception.Duplicate), ("413 Request Entity Too Large", exception.TooLarge),
    ("500 Internal Server Error", exception.RegistryUnavailable),
    ("503 Service Unavailable", exception.RegistryUnavailable),
    ("302 Found", exception.RegistryUnavailable)])
def test_status_codes_map_to_domain_errors(status, error):
    with serving(canned(status, b'{"code": "x", "message": "the cause"}')) as address:
        with pytest.raises(error, match="the cause"):
            RegistryClient(address).get_image(ALICE, 1)


def test_the_image_id_of_an_error_is_kept():
    body = b'{"code": "image.not_found", "message": "gone", "image_id": 7}'
    with serving(canned("404 Not Found", body)) as address:
        with pytest.raises(exception.NotFound) as caught:
            RegistryClient(address).get_image(ALICE, 7)
    assert caught.value.image_id == 7


def test_an_error_without_json_carries_the_body_text_truncated():
    with serving(canned("400 Bad Request", b"plain " + b"x" * 1000, "text/plain")) as address:
        with pytest.raises(exception.Invalid, match=r"^plain x+\.\.\.$") as caught:
            RegistryClient(address).get_image(ALICE, 1)
    assert len(caught.value.message) < 300


def test_a_server_error_names_the_registry_url():
    with serving(canned("500 Internal Server Error", b"{}")) as address:
        with pytest.raises(exception.RegistryUnavailable, match=address):
            RegistryClient(address).get_image(ALICE, 1)


@pytest.mark.parametrize("body", [b"not json", b'{"images": []}', b'{"image": []}', b"[]"])
def test_a_garbage_success_is_registry_unavailable(body):
    with serving(canned("200 OK", body)) as address:
        with pytest.raises(exception.RegistryUnavailable, match=address):
            RegistryClient(address).get_image(ALICE, 1)


def test_a_refused_connection_is_registry_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"http://127.0.0.1:{port}"
    with pytest.raises(exception.RegistryUnavailable, match=address):
        RegistryClient(address).get_image(ALICE, 1)


def test_a_slow_registry_is_registry_unavailable():
    with serving(canned("200 OK", b'{"image": {}}', delay=0.5)) as address:
        with pytest.raises(exception.RegistryUnavailable, match="timed out"):
            RegistryClient(address, timeout=0.1).get_image(ALICE, 1)


@pytest.mark.parametrize("address", ["ftp://registry", "registry:9191", "http://", "http://h:x"])
def test_a_bad_url_is_a_config_error(address):
    with pytest.raises(exception.ConfigError, match="registry_url"):
        RegistryClient(address)


# -- connections -----------------------------------------------------------------------

@needs_keep_alive
def test_one_connection_serves_many_requests(client, seen):
    for _ in range(3):
        client.list_images(ALICE, {}, False)
    assert len({environ["REMOTE_PORT"] for environ in seen}) == 1


@needs_keep_alive
def test_each_thread_has_its_own_connection(client, seen):
    def work():
        for _ in range(3):
            client.list_images(ALICE, {}, False)
    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({environ["REMOTE_PORT"] for environ in seen}) == 3


@needs_keep_alive
@pytest.mark.parametrize("method", ["get", "create"])
def test_a_connection_the_registry_closed_while_idle_is_replaced(seen, method):
    app = trusting(server.RegistryApp(memory_registry()), seen)
    with serving(app, idle_timeout=0.05) as address:
        client = RegistryClient(address)
        client.create_image(ALICE, {})
        time.sleep(1.2)     # the server sweeps idle connections every second
        if method == "get":
            client.get_image(ALICE, 1)
        else:
            client.create_image(ALICE, {})
    assert len({environ["REMOTE_PORT"] for environ in seen}) == 2


class FakeResponse:
    will_close = False

    def __init__(self, body):
        self.status, self._body = 200, body

    def read(self):
        return self._body


class FakeConnection:
    """An http.client stand-in: `reused` gives it an open (quiet) socket;
    `on_request`/`on_response` are exceptions to raise there.  As with a real
    connection, once sending failed reading the answer fails too."""

    def __init__(self, reused=False, on_request=None, on_response=None,
                 body=b'{"image": {"id": 1}}'):
        self._pair = socket.socketpair() if reused else None
        self.sock = self._pair[0] if reused else None
        self.on_request, self.on_response, self.body = on_request, on_response, body
        self.requests = []

    def connect(self):
        pass

    def request(self, method, path, body=None, headers=None):
        self.requests.append((method, path))
        if self.on_request:
            self.on_response = self.on_response or self.on_request
            raise self.on_request

    def getresponse(self):
        if self.on_response:
            raise self.on_response
        return FakeResponse(self.body)

    def close(self):
        self.sock = None
        if self._pair:
            for end in self._pair:
                end.close()
            self._pair = None


def scripted(*connections):
    made = list(connections)
    return RegistryClient("http://registry:9191", connection_factory=lambda: made.pop(0))


def stale():
    return http.client.RemoteDisconnected("Remote end closed connection without response")


def test_a_get_on_a_stale_connection_is_sent_again():
    first, second = FakeConnection(reused=True, on_response=stale()), FakeConnection()
    assert scripted(first, second).get_image(ALICE, 1) == {"id": 1}
    assert (len(first.requests), len(second.requests)) == (1, 1)


def test_a_post_that_may_have_arrived_is_not_sent_again():
    first, second = FakeConnection(reused=True, on_response=stale()), FakeConnection()
    with pytest.raises(exception.RegistryUnavailable):
        scripted(first, second).create_image(ALICE, {})
    assert second.requests == []


def test_a_post_that_failed_while_sending_is_sent_again():
    first = FakeConnection(reused=True, on_request=BrokenPipeError(32, "Broken pipe"))
    second = FakeConnection()
    assert scripted(first, second).create_image(ALICE, {}) == {"id": 1}
    assert second.requests == [("POST", "/images")]


def test_a_fresh_connection_is_not_retried():
    first, second = FakeConnection(on_response=stale()), FakeConnection()
    with pytest.raises(exception.RegistryUnavailable, match="registry:9191"):
        scripted(first, second).get_image(ALICE, 1)
    assert second.requests == []


def test_a_request_is_retried_only_once():
    first = FakeConnection(reused=True, on_response=stale())
    second = FakeConnection(reused=True, on_response=stale())
    third = FakeConnection()
    with pytest.raises(exception.RegistryUnavailable):
        scripted(first, second, third).get_image(ALICE, 1)
    assert third.requests == []


def test_a_connection_with_unread_bytes_is_not_reused():
    first, second = FakeConnection(reused=True), FakeConnection()
    client = scripted(first, second)
    client.get_image(ALICE, 1)
    first._pair[1].sendall(b"junk")     # what a closing server leaves: EOF or bytes
    client.get_image(ALICE, 1)
    assert (len(first.requests), len(second.requests)) == (1, 1)


def test_after_a_failure_the_next_call_opens_a_new_connection():
    first = FakeConnection(on_request=ConnectionRefusedError(111, "refused"))
    second = FakeConnection()
    client = scripted(first, second)
    with pytest.raises(exception.RegistryUnavailable, match="refused"):
        client.get_image(ALICE, 1)
    assert client.get_image(ALICE, 1) == {"id": 1}


# -- connect() -------------------------------------------------------------------------

def test_connect_without_a_url_is_in_process():
    conf = config.load({}, {"sql_connection": "sqlite://"}, environ={})
    assert isinstance(connect(conf), service.ImageRegistry)


def test_connect_with_a_url_is_a_client():
    conf = config.load({}, {"registry_url": "http://127.0.0.1:9191", "registry_timeout": "7"},
                       environ={})
    registry = connect(conf)
    assert isinstance(registry, RegistryClient) and registry.timeout == 7.0


def test_noauth_lists_through_the_client_show_public_images(client):
    client.create_image(ALICE, {"is_public": True})
    client.create_image(ALICE, {})
    assert [image["id"] for image in client.list_images(NOAUTH, {}, False)] == [1]
