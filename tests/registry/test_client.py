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
from glance.registry import Holder, ImageQuery, RegistryClient, connect, server, service
from tests.registry.helpers import ADMIN, ALICE, ANON, BOB, NOAUTH, as_service, memory_registry

try:
    from glance.httpd.server import WSGIServer
except ImportError:     # pragma: no cover - the server is written separately
    WSGIServer = None


def trusting(app, seen=None):
    """A stand-in for the registry's context filter: the context comes from
    X-Tenant-Id/X-User-Id/X-Roles, a service's when the service token came
    (the filter itself is tested in tests/registry/test_trust.py)."""
    def filtered(environ, start_response):
        def header(name):
            value = environ.get(name)
            return None if value is None else value.encode("latin-1").decode("utf-8")
        roles = tuple(role for role in (header("HTTP_X_ROLES") or "").split(",") if role)
        environ[ctx.ENV_KEY] = RequestContext(
            tenant=header("HTTP_X_TENANT_ID"), user=header("HTTP_X_USER_ID"), roles=roles,
            is_admin="admin" in roles, is_service=bool(header("HTTP_X_SERVICE_TOKEN")))
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
    registry = RegistryClient(url, timeout=5.0, service_token="s3cret")
    yield registry
    registry.close()


@pytest.fixture(params=["in-process", "http"])
def either(request):
    """The same registry behaviour through both implementations."""
    if request.param == "in-process":
        yield memory_registry()
    else:
        with serving(trusting(server.RegistryApp(memory_registry()))) as address:
            remote = RegistryClient(address, timeout=5.0, service_token="s3cret")
            yield remote
            remote.close()


def canned(status, body, content_type="application/json", delay=0.0):
    def app(environ, start_response):
        time.sleep(delay)
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]
    return app


# -- every method, same behaviour both ways ------------------------------------------

CHOSEN = "5d0c7c8e-3f0b-4a59-8d8a-8a4f3e2b1c0d"
TAKEN = "dddddddd-dddd-dddd-dddd-dddddddddddd"
ALICE_S, BOB_S = as_service(ALICE), as_service(BOB)


def test_create_and_get(either):
    image = either.create_image(ALICE_S, {"name": "a", "properties": {"k": "v"}, "tags": ["t"]})
    assert either.get_image(ALICE_S, image["id"]) == image


def test_update_merges_and_purges(either):
    image = either.create_image(ALICE_S, {"properties": {"a": "1"}})
    assert either.update_image(ALICE_S, image["id"], {"properties": {"b": "2"}})[
        "properties"] == {"a": "1", "b": "2"}
    assert either.update_image(ALICE_S, image["id"], {}, purge_props=True)["properties"] == {}


def test_delete_then_get_is_not_found(either):
    image = either.create_image(ALICE_S, {})
    assert either.delete_image(ALICE_S, image["id"])["deleted"] is True
    with pytest.raises(exception.NotFound):
        either.get_image(ALICE_S, image["id"])


def test_lists_brief_and_detailed(either):
    either.create_image(ALICE_S, {"name": "b"})
    either.create_image(ALICE_S, {"name": "a", "is_public": True})
    by_name = ImageQuery(sort=(("name", "asc"),))
    assert [i["name"] for i in either.list_images(ALICE_S, by_name, False)] == ["a", "b"]
    assert "properties" in either.list_images(ALICE_S, ImageQuery(), True)[0]


def test_every_query_field_travels(either):
    wanted = either.create_image(ALICE_S, {"name": "ü &=#?+", "properties": {"k": "ä b"},
                                           "tags": ["x", "z"], "min_ram": 3,
                                           "protected": True, "size": 5,
                                           "visibility": "community", "status": "queued"})
    either.create_image(ALICE_S, {"name": "other"})
    found = either.list_images(ALICE_S, ImageQuery(
        scope=("community", "own"), member_status="accepted", visibility=("community",),
        equal={"name": "ü &=#?+", "min_ram": 3, "protected": 1, "status": "queued"},
        ranges={"size_min": 5, "size_max": 5}, tags=("x", "z"), properties={"k": "ä b"},
        times=(("created_at", "gte", "2000-01-01T00:00:00.000000"),),
        sort=(("name", "asc"), ("size", "desc")), limit=5), True)
    assert [image["id"] for image in found] == [wanted["id"]]


def test_visibility_follows_the_context(either):
    image = either.create_image(ALICE_S, {})
    with pytest.raises(exception.NotFound):
        either.get_image(BOB_S, image["id"])


def test_location_is_for_services_and_admins(either):
    image = either.create_image(ALICE_S, {"location": "file:///x"})
    assert either.get_image(ALICE_S, image["id"])["location"] == "file:///x"
    assert either.get_image(as_service(ADMIN), image["id"])["location"] == "file:///x"


def test_members_both_ways(either):
    image = either.create_image(ALICE_S, {})
    either.add_member(ALICE_S, image["id"], "bob", can_share=True)
    assert either.get_image(BOB_S, image["id"])["id"] == image["id"]
    assert either.set_member(BOB_S, image["id"], "bob", status="accepted")["status"] == \
        "accepted"
    assert either.set_member(ALICE_S, image["id"], "équipe")["member_id"] == "équipe"
    assert [m["member_id"] for m in either.list_members(ALICE_S, image["id"])] == [
        "bob", "équipe"]
    assert either.get_member(BOB_S, image["id"], "bob")["can_share"] is True
    assert [m["image_id"] for m in either.shared_images(BOB_S, "bob")] == [image["id"]]
    assert [m["member_id"] for m in either.replace_members(
        ALICE_S, image["id"], [{"member_id": "carol"}])] == ["carol"]
    assert either.delete_member(ALICE_S, image["id"], "carol") is None
    assert either.list_members(ALICE_S, image["id"]) == []


def test_tags_both_ways(either):
    image = either.create_image(ALICE_S, {})
    assert either.add_tag(ALICE_S, image["id"], "ü ?%#")["tags"] == ["ü ?%#"]
    assert either.delete_tag(ALICE_S, image["id"], "ü ?%#")["tags"] == []


def test_leases_both_ways(either):
    holder = Holder("node-a", "run", 7)
    image = either.create_image(ALICE_S, {"status": "queued"})
    assert either.take_lease(ALICE_S, image["id"], holder, 60)["status"] == "saving"
    assert either.renew_leases(as_service(NOAUTH), holder, 60) == [image["id"]]
    done = either.end_lease(ALICE_S, image["id"], holder, {"status": "active", "size": 1})
    assert done["status"] == "active"
    other = either.create_image(ALICE_S, {"status": "queued"})
    either.take_lease(ALICE_S, other["id"], holder, 60, fallback="queued")
    moved = either.expire_leases(as_service(NOAUTH), "gone", node="node-a", instance="run",
                                 pid=7)
    assert [(i["id"], i["status"], i["status_reason"]) for i in moved] == [
        (other["id"], "queued", "gone")]


@pytest.mark.parametrize("call,error,message", [
    (lambda r, i: r.create_image(ALICE_S, {"disk_format": "qcow3"}), exception.Invalid,
     "qcow3"),
    (lambda r, i: r.create_image(ALICE_S, {"id": "1"}), exception.Invalid, "UUID"),
    (lambda r, i: r.get_image(ALICE_S, CHOSEN), exception.NotFound, CHOSEN),
    (lambda r, i: r.get_image(ALICE_S, "../etc"), exception.NotFound, "no such"),
    (lambda r, i: r.update_image(BOB_S, i, {"name": "x"}), exception.Forbidden, "tenant"),
    (lambda r, i: r.delete_image(ALICE_S, CHOSEN), exception.NotFound, CHOSEN),
    (lambda r, i: r.create_image(ALICE_S, {"id": i}), exception.Duplicate, "taken"),
    (lambda r, i: r.list_images(ALICE_S, ImageQuery(marker=CHOSEN)), exception.Invalid,
     "marker"),
    (lambda r, i: r.add_member(BOB_S, i, "carol"), exception.Forbidden, "share"),
    (lambda r, i: r.delete_tag(ALICE_S, i, "nope"), exception.NotFound, "tag"),
    (lambda r, i: r.take_lease(ALICE_S, i, Holder("n", "r", 1), 60), exception.Conflict,
     "active, not queued"),
])
def test_errors_are_the_same_domain_errors(either, call, error, message):
    image = either.create_image(ALICE_S, {"is_public": True, "id": TAKEN})
    with pytest.raises(error, match=message):
        call(either, image["id"])


def test_quota_errors_are_the_same(either):
    image = either.create_image(ALICE_S, {})
    with pytest.raises(exception.QuotaExceeded, match="Maximum: 128"):
        either.update_image(ALICE_S, image["id"], {"properties": {
            f"k{n}": "" for n in range(129)}})


def test_a_protected_image_is_protected_both_ways(either):
    image = either.create_image(ALICE_S, {"protected": True})
    with pytest.raises(exception.Protected):
        either.delete_image(ALICE_S, image["id"])


# -- what goes over the wire ---------------------------------------------------------

def test_the_context_travels_as_headers_with_the_service_token(client, seen):
    client.list_images(RequestContext(tenant="t1", user="u1", roles=("member", "x"),
                                      auth_tok="tok"), ImageQuery(), False)
    environ = seen[-1]
    assert (environ["HTTP_X_TENANT_ID"], environ["HTTP_X_USER_ID"], environ["HTTP_X_ROLES"],
            environ["HTTP_X_SERVICE_TOKEN"]) == ("t1", "u1", "member,x", "s3cret")


def test_the_callers_own_token_stays_with_the_api(client, seen):
    client.list_images(RequestContext(tenant="t1", auth_tok="tok"), ImageQuery(), False)
    assert "HTTP_X_AUTH_TOKEN" not in seen[-1]


def test_missing_context_values_send_no_headers(client, seen):
    client.list_images(ANON, ImageQuery(), False)
    assert not {"HTTP_X_TENANT_ID", "HTTP_X_USER_ID", "HTTP_X_ROLES"} & set(seen[-1])


def test_an_admin_context_carries_the_admin_role(client, seen):
    client.list_images(RequestContext(is_admin=True), ImageQuery(), False)
    assert seen[-1]["HTTP_X_ROLES"] == "admin"


def test_a_non_ascii_tenant_travels_as_utf8(client):
    assert client.create_image(RequestContext(tenant="équipe"), {})["owner"] == "équipe"


def test_a_header_breaking_context_value_is_invalid(client, seen):
    with pytest.raises(exception.Invalid, match="X-Tenant-Id"):
        client.list_images(RequestContext(tenant="a\r\nX-Roles: admin"), ImageQuery(), False)
    assert seen == []


def test_the_purge_header_is_sent_only_when_purging(client, seen):
    image = client.create_image(ALICE, {})
    client.update_image(ALICE, image["id"], {})
    assert "HTTP_X_GLANCE_REGISTRY_PURGE_PROPS" not in seen[-1]
    client.update_image(ALICE, image["id"], {}, purge_props=True)
    assert seen[-1]["HTTP_X_GLANCE_REGISTRY_PURGE_PROPS"] == "true"


def test_a_base_path_in_the_url_prefixes_every_request():
    fake = FakeConnection()
    RegistryClient("http://registry:9191/base/", connection_factory=lambda: fake).get_image(
        ALICE, "1")
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
    """The registry's words reach the API's client; a broken registry's do not."""
    said = "the registry is unavailable" if error is exception.RegistryUnavailable \
        else "the cause"
    with serving(canned(status, b'{"code": "x", "message": "the cause"}')) as address:
        with pytest.raises(error, match=said):
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


def with_credentials(address):
    return address.replace("http://", "http://glance:hunter2@")


def test_a_server_error_is_generic_and_logged_without_credentials(caplog):
    with serving(canned("500 Internal Server Error", b'{"message": "db on fire"}')) as address:
        with pytest.raises(exception.RegistryUnavailable) as caught:
            RegistryClient(with_credentials(address)).get_image(ALICE, "1")
    assert caught.value.message == "the registry is unavailable"
    assert "db on fire" in caplog.text and address in caplog.text
    assert "hunter2" not in caplog.text and "glance:" not in caplog.text


@pytest.mark.parametrize("body", [b"not json", b'{"images": []}', b'{"image": []}', b"[]",
                                  b"[" * 100000])
def test_a_garbage_success_is_registry_unavailable(body, caplog):
    with serving(canned("200 OK", body)) as address:
        with pytest.raises(exception.RegistryUnavailable) as caught:
            RegistryClient(with_credentials(address)).get_image(ALICE, "1")
    assert address not in caught.value.message and "garbage" in caplog.text
    assert "hunter2" not in caplog.text


def test_a_refused_connection_is_registry_unavailable(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"http://127.0.0.1:{port}"
    with pytest.raises(exception.RegistryUnavailable) as caught:
        RegistryClient(with_credentials(address)).get_image(ALICE, "1")
    assert str(port) not in caught.value.message
    assert address in caplog.text and "hunter2" not in caplog.text


def test_a_slow_registry_is_registry_unavailable(caplog):
    with serving(canned("200 OK", b'{"image": {}}', delay=0.5)) as address:
        with pytest.raises(exception.RegistryUnavailable):
            RegistryClient(address, timeout=0.1).get_image(ALICE, "1")
    assert "timed out" in caplog.text


@pytest.mark.parametrize("address", ["ftp://registry", "registry:9191", "http://", "http://h:x"])
def test_a_bad_url_is_a_config_error(address):
    with pytest.raises(exception.ConfigError, match="registry_url"):
        RegistryClient(address)


# -- connections -----------------------------------------------------------------------

@needs_keep_alive
def test_one_connection_serves_many_requests(client, seen):
    for _ in range(3):
        client.list_images(ALICE, ImageQuery(), False)
    assert len({environ["REMOTE_PORT"] for environ in seen}) == 1


@needs_keep_alive
def test_each_thread_has_its_own_connection(client, seen):
    def work():
        for _ in range(3):
            client.list_images(ALICE, ImageQuery(), False)
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
        image = client.create_image(ALICE, {})
        time.sleep(1.2)     # the server sweeps idle connections every second
        if method == "get":
            client.get_image(ALICE, image["id"])
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
    with pytest.raises(exception.RegistryUnavailable):
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
    with pytest.raises(exception.RegistryUnavailable):
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
    public = client.create_image(ALICE, {"is_public": True})
    client.create_image(ALICE, {})
    assert [image["id"] for image in client.list_images(NOAUTH, ImageQuery(), False)] == [
        public["id"]]
