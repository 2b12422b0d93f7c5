"""Who the registry believes (CONTRACT §5, issue 15 item 1): outside noauth
mode only the API service, with its service token, on every request."""

import pytest
import webtest

from glance.common import config, tokens
from glance.middleware.context import ContextFilter
from glance.registry import server
from tests.registry.helpers import as_service, memory_registry, ALICE, BOB

SERVICE_TOKEN = "service-s3cret"
TRUSTED = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture(params=["token", "trusted-proxy"])
def mode(request):
    return request.param


@pytest.fixture
def world(tmp_path, mode):
    """The registry pipeline in `mode`; tenant A's and B's images and tokens."""
    token_file = str(tmp_path / "tokens.json")
    conf = config.load(environ={}, auth_strategy=mode, auth_tokens_file=token_file,
                       service_token=SERVICE_TOKEN)
    registry = memory_registry()
    a_image = registry.create_image(as_service(ALICE), {"name": "a", "status": "active",
                                                         "location": "file:///data/a"})
    b_image = registry.create_image(as_service(BOB), {"name": "b", "status": "active",
                                                       "location": "file:///data/b"})
    app = webtest.TestApp(ContextFilter(server.RegistryApp(registry), conf,
                                        trust_services=True), extra_environ=TRUSTED)
    return {"app": app, "registry": registry, "a": a_image["id"], "b": b_image["id"],
            "token_a": tokens.create_token(token_file, "alice", "alice-1", ["member"]),
            "token_admin": tokens.create_token(token_file, "ops", "root", ["admin"])}


def as_tenant(tenant, roles="member", service=True):
    headers = {"X-Tenant-Id": tenant, "X-Roles": roles}
    if service:
        headers["X-Service-Token"] = SERVICE_TOKEN
    return headers


ROUTES = [("GET", "/images"), ("GET", "/images/detail"), ("GET", "/images/{a}"),
          ("POST", "/images"), ("PUT", "/images/{a}"), ("DELETE", "/images/{a}"),
          ("GET", "/images/{a}/members"), ("PUT", "/images/{a}/members/bob"),
          ("GET", "/shared-images/bob"), ("PUT", "/images/{a}/tags/t"),
          ("POST", "/leases/expire")]


@pytest.mark.parametrize("method,path", ROUTES)
@pytest.mark.parametrize("credentials", ["none", "user token", "admin token",
                                         "identity headers", "wrong service token"])
def test_without_the_service_token_every_route_is_401(world, method, path, credentials):
    headers = {"none": {}, "user token": {"X-Auth-Token": world["token_a"]},
               "admin token": {"X-Auth-Token": world["token_admin"]},
               "identity headers": as_tenant("alice", "admin", service=False),
               "wrong service token": {**as_tenant("alice"), "X-Service-Token": "guess"},
               }[credentials]
    response = world["app"].request(path.format(a=world["a"]), method=method, headers=headers,
                                    body=b'{"image": {}}', content_type="application/json",
                                    expect_errors=True)
    assert response.status_int == 401 and response.json["error"]["type"] == "auth.required"


def test_the_attack_of_issue_15_is_refused(world):
    """Tenant A, with its own token straight at the registry, points its
    image at B's file: refused, and nothing changes."""
    response = world["app"].put_json(
        f"/images/{world['a']}", {"image": {"location": "file:///data/b"}},
        headers={"X-Auth-Token": world["token_a"], "X-Tenant-Id": "alice"},
        expect_errors=True)
    assert response.status_int == 401
    image = world["registry"].get_image(as_service(ALICE), world["a"])
    assert image["location"] == "file:///data/a"


def test_with_the_service_token_the_forwarded_identity_is_believed(world):
    app = world["app"]
    assert app.get(f"/images/{world['a']}", headers=as_tenant("alice")).json["image"][
        "location"] == "file:///data/a"
    app.get(f"/images/{world['b']}", headers=as_tenant("alice"), status=404)
    created = app.post_json("/images", {"image": {"status": "queued"}},
                            headers=as_tenant("alice")).json["image"]
    assert created["owner"] == "alice"


def test_with_the_service_token_tenants_stay_apart(world):
    """The service may set server-controlled fields, for its caller's own images only."""
    app = world["app"]
    app.put_json(f"/images/{world['b']}", {"image": {"location": "file:///data/a"}},
                 headers=as_tenant("alice"), status=404)
    app.put_json(f"/images/{world['a']}", {"image": {"location": "file:///data/a2"}},
                 headers=as_tenant("alice"), status=200)


def test_noauth_believes_forwarded_identity_and_lets_anyone_in(tmp_path):
    conf = config.load(environ={}, auth_tokens_file=str(tmp_path / "t.json"))
    registry = memory_registry()
    app = webtest.TestApp(ContextFilter(server.RegistryApp(registry), conf,
                                        trust_services=True))
    created = app.post_json("/images", {"image": {"location": "file:///x"}},
                            headers={"X-Tenant-Id": "alice", "X-Roles": "member"}).json["image"]
    assert created["owner"] == "alice" and created["location"] == "file:///x"
    assert app.get(f"/images/{created['id']}").json["image"]["owner"] == "alice"
