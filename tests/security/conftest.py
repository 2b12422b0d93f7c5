"""Apps in the token and trusted-proxy modes, with one caller per role.

Callers: `owner` (tenant A), `other` (tenant B), `admin` (tenant C, admin
role) and `anonymous` (no credentials).  Each mode's `Deployment` sends a
request as one of them.
"""

from urllib.parse import urlencode

import pytest
import webtest
from paste.deploy import loadapp

from glance.common import tokens
from tests.api.conftest import PASTE_INI, app, backend, data_dir  # noqa: F401  (shared fixtures)

CALLERS = ("owner", "other", "admin", "anonymous")
IDENTITIES = {
    "owner": ("tenant-a", "alice", ["member"]),
    "other": ("tenant-b", "bob", ["member"]),
    "admin": ("tenant-c", "carol", ["admin"]),
}


class Deployment:
    def __init__(self, app, mode, tokens_by_caller=None):
        self.app = app
        self.mode = mode
        self.tokens = tokens_by_caller or {}

    def headers(self, caller):
        if caller == "anonymous":
            return {}
        if self.mode == "token":
            return {"X-Auth-Token": self.tokens[caller]}
        tenant, user, roles = IDENTITIES[caller]
        return {"X-Tenant-Id": tenant, "X-User-Id": user, "X-Roles": ",".join(roles)}

    def request(self, caller, method, path, headers=None, body=None, params=None, **kwargs):
        if params:
            path = path + "?" + urlencode(params)
        all_headers = self.headers(caller)
        all_headers.update(headers or {})
        return self.app.request(path, method=method, headers=all_headers, body=body,
                                expect_errors=True, **kwargs)


def load(tmp_path, monkeypatch, mode, **env):
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", f"sqlite:///{tmp_path}/glance.sqlite")
    monkeypatch.setenv("GLANCE_FILESYSTEM_STORE_DATADIR", str(tmp_path / "images"))
    monkeypatch.setenv("GLANCE_AUTH_STRATEGY", mode)
    monkeypatch.setenv("GLANCE_AUTH_TOKENS_FILE", str(tmp_path / "tokens.json"))
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv("GLANCE_" + key.upper(), value)
    return webtest.TestApp(loadapp("config:" + PASTE_INI, name="main"),
                           extra_environ={"REMOTE_ADDR": "127.0.0.1"})


@pytest.fixture(params=["token", "trusted-proxy"])
def deployment(request, tmp_path, monkeypatch):
    mode = request.param
    app = load(tmp_path, monkeypatch, mode, publicize_image="anyone")
    made = {}
    if mode == "token":
        path = str(tmp_path / "tokens.json")
        made = {caller: tokens.create_token(path, *IDENTITIES[caller]) for caller in IDENTITIES}
    return Deployment(app, mode, made)


@pytest.fixture
def token_deployment(tmp_path, monkeypatch):
    app = load(tmp_path, monkeypatch, "token")
    path = str(tmp_path / "tokens.json")
    made = {caller: tokens.create_token(path, *IDENTITIES[caller]) for caller in IDENTITIES}
    return Deployment(app, "token", made)
