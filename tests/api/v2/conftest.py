"""The v2 app in its pipeline (paste.ini), with callers of each kind, and a
check on every image it renders.

`api` is the `main` pipeline in trusted-proxy mode, so that a test names its
caller with identity headers (`OWNER`, `OTHER`, `ADMIN`; `ANONYMOUS` sends
none), on the in-process registry and a scratch data directory.  Every
answer that passes through it is checked by `SchemaCheck`: each image in a
v2 JSON answer validates against the published image schema (as
glanceclient checks it), each member against the member schema, and JSON
answers use `json.dumps`' default separators.
"""

import json

import pytest
import webtest
from paste.deploy import loadapp

from glance.api.v2 import schemas, validator
from tests.api.conftest import PASTE_INI

OWNER = {"X-Tenant-Id": "tenant-a", "X-User-Id": "alice", "X-Roles": "member"}
OTHER = {"X-Tenant-Id": "tenant-b", "X-User-Id": "bob", "X-Roles": "member"}
ADMIN = {"X-Tenant-Id": "tenant-c", "X-User-Id": "carol", "X-Roles": "admin"}
ANONYMOUS = {}
PATCH_TYPE = "application/openstack-images-v2.1-json-patch"


class SchemaCheck:
    """WSGI middleware of the tests: validates what the v2 app answers.

    `checked` counts the images validated, so a test can tell the check ran.
    """

    def __init__(self, app):
        self.app = app
        self.checked = 0

    def __call__(self, environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, dict(headers)
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, capture))
        if seen["headers"].get("Content-Type") == "application/json" and body:
            self._check(json.loads(body), body)
        return [body]

    def _check(self, document, body):
        assert json.dumps(document).encode() == body, "not json.dumps' default separators"
        if not isinstance(document, dict):
            return
        images = document.get("images") if "first" in document else None
        if document.get("schema") == "/v2/schemas/image":
            images = [document]
        for image in images or ():
            validator.validate(image, schemas.SCHEMAS["image"])
            self.checked += 1
        members = document.get("members") or []
        if document.get("schema") == "/v2/schemas/member":
            members = [document]
        for member in members:
            validator.validate(member, schemas.SCHEMAS["member"])


def load(tmp_path, monkeypatch, mode, **options):
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", f"sqlite:///{tmp_path}/glance.sqlite")
    monkeypatch.setenv("GLANCE_FILESYSTEM_STORE_DATADIR", str(tmp_path / "images"))
    monkeypatch.setenv("GLANCE_AUTH_STRATEGY", mode)
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    for key, value in options.items():
        monkeypatch.setenv("GLANCE_" + key.upper(), str(value))
    checked = SchemaCheck(loadapp("config:" + PASTE_INI, name="main"))
    app = webtest.TestApp(checked, lint=True, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    app.schema_check = checked
    return app


@pytest.fixture
def api(tmp_path, monkeypatch):
    """The pipeline in trusted-proxy mode: callers by identity headers."""
    return load(tmp_path, monkeypatch, "trusted-proxy", image_tag_quota=5, image_member_quota=3)


@pytest.fixture
def noauth(tmp_path, monkeypatch):
    """The pipeline as `make run` serves it: every caller an admin."""
    return load(tmp_path, monkeypatch, "noauth")


def v2_of(app):
    """The V2App inside a TestApp's pipeline (each filter holds the next as `app`)."""
    found = app.app
    while not hasattr(found, "apps"):
        found = found.app
    return found.apps["v2"]


def create(api, caller=OWNER, status=201, **body):
    return api.post_json("/v2/images", body, headers=caller, status=status).json


def patch(api, image_id, operations, caller=OWNER, status=200, content_type=PATCH_TYPE):
    return api.patch(f"/v2/images/{image_id}", json.dumps(operations),
                     headers={**caller, "Content-Type": content_type}, status=status).json


def error(answer):
    """(status, type, message) of an error answer."""
    found = answer.json["error"]
    return found["code"], found["type"], found["message"]
