"""The context filter's modes (CONTRACT §5)."""

import webtest

from glance.common import config, context, tokens
from glance.middleware.context import ContextFilter


def who(environ, start_response):
    ctx = context.from_environ(environ)
    body = f"{ctx.tenant}|{ctx.user}|{','.join(ctx.roles)}|{ctx.is_admin}|{ctx.is_service}"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]


def app(tmp_path, trust_services=False, **options):
    conf = config.load(environ={}, auth_tokens_file=str(tmp_path / "t.json"), **options)
    return webtest.TestApp(ContextFilter(who, conf, trust_services=trust_services),
                           extra_environ={"REMOTE_ADDR": "127.0.0.1"})


def test_noauth_makes_everyone_an_admin_without_tenant(tmp_path):
    assert app(tmp_path).get("/").text == "None|None|admin|True|False"


def test_noauth_api_ignores_identity_headers(tmp_path):
    res = app(tmp_path).get("/", headers={"X-Tenant-Id": "t", "X-Roles": "member"})
    assert res.text == "None|None|admin|True|False"


def test_token_mode_requires_a_token(tmp_path):
    res = app(tmp_path, auth_strategy="token").get("/", status=401)
    assert res.headers["WWW-Authenticate"].startswith("Token")
    assert res.json["error"]["type"] == "auth.required"


def test_token_mode_refuses_an_unknown_token(tmp_path):
    app(tmp_path, auth_strategy="token").get("/", headers={"X-Auth-Token": "glance_x_y"},
                                             status=401)


def test_token_mode_identifies_the_caller(tmp_path):
    token = tokens.create_token(str(tmp_path / "t.json"), "t1", "alice", ["member"])
    res = app(tmp_path, auth_strategy="token").get("/", headers={"X-Auth-Token": token})
    assert res.text == "t1|alice|member|False|False"


def test_token_mode_admin_role_makes_an_admin(tmp_path):
    token = tokens.create_token(str(tmp_path / "t.json"), "t1", None, ["Admin"])
    res = app(tmp_path, auth_strategy="token").get("/", headers={"X-Auth-Token": token})
    assert res.text.endswith("|True|False")


def test_trusted_proxy_takes_identity_from_headers(tmp_path):
    res = app(tmp_path, auth_strategy="trusted-proxy").get("/", headers={
        "X-Tenant-Id": "t2", "X-User-Id": "bob", "X-Roles": "member, reader"})
    assert res.text == "t2|bob|member,reader|False|False"


def test_trusted_proxy_refuses_other_peers(tmp_path):
    res = app(tmp_path, auth_strategy="trusted-proxy").get(
        "/", headers={"X-Tenant-Id": "t2", "X-Roles": "admin"},
        extra_environ={"REMOTE_ADDR": "192.0.2.9"}, status=403)
    assert "proxy" in res.json["error"]["message"]


def test_trusted_proxy_without_identity_is_anonymous(tmp_path):
    assert app(tmp_path, auth_strategy="trusted-proxy").get("/").text == "None|None||False|False"


def test_registry_believes_forwarded_identity_with_the_service_token(tmp_path):
    res = app(tmp_path, trust_services=True, auth_strategy="token", service_token="s3cret").get(
        "/", headers={"X-Service-Token": "s3cret", "X-Tenant-Id": "t1", "X-Roles": "member"})
    assert res.text == "t1|None|member|False|True"


def test_registry_refuses_a_wrong_service_token(tmp_path):
    app(tmp_path, trust_services=True, auth_strategy="token", service_token="s3cret").get(
        "/", headers={"X-Service-Token": "guess", "X-Tenant-Id": "t1", "X-Roles": "admin"},
        status=401)


def test_registry_refuses_service_tokens_when_none_is_configured(tmp_path):
    app(tmp_path, trust_services=True, auth_strategy="token").get(
        "/", headers={"X-Service-Token": "", "X-Roles": "admin"}, status=401)


def test_registry_ignores_forged_identity_headers_without_service_token(tmp_path):
    app(tmp_path, trust_services=True, auth_strategy="token", service_token="s").get(
        "/", headers={"X-Tenant-Id": "t1", "X-Roles": "admin"}, status=401)


def test_registry_in_noauth_believes_forwarded_identity(tmp_path):
    res = app(tmp_path, trust_services=True).get("/", headers={"X-Tenant-Id": "t1",
                                                              "X-Roles": "member"})
    assert res.text == "t1|None|member|False|True"


def test_registry_outside_noauth_refuses_a_users_own_token(tmp_path):
    token = tokens.create_token(str(tmp_path / "t.json"), "t1", "alice", ["admin"])
    app(tmp_path, trust_services=True, auth_strategy="token", service_token="s").get(
        "/", headers={"X-Auth-Token": token}, status=401)


def test_registry_in_trusted_proxy_mode_needs_the_service_token_too(tmp_path):
    registry = app(tmp_path, trust_services=True, auth_strategy="trusted-proxy",
                   service_token="s")
    registry.get("/", headers={"X-Tenant-Id": "t1", "X-Roles": "admin"}, status=401)
    res = registry.get("/", headers={"X-Tenant-Id": "t1", "X-Roles": "member",
                                     "X-Service-Token": "s"})
    assert res.text == "t1|None|member|False|True"
