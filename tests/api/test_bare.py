"""The root app and the v1 app work bare: no filter in front, WebTest's lint on.

The v1 app decodes the `x-image-meta-*` request headers and encodes its
answers itself (the `headers` filter that once did both is gone), so each
route works without any pipeline; the root app dispatches `/v1…` and
unversioned paths to it without the `version` filter.  The caller's context
is what a server or the `context` filter would leave in the environ, given
here directly.
"""

import hashlib

import pytest
import webtest

from glance.api.root import RootApp
from glance.api.v1.images import ImagesApp
from glance.common import config, context
from glance.registry import ImageRegistry
from glance.store import Stores

DATA = b"bare image data " * 4096
OCTET = {"Content-Type": "application/octet-stream"}


@pytest.fixture
def images_app(tmp_path):
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images")})
    registry, stores = ImageRegistry.from_conf(conf), Stores(conf)
    app = RootApp(conf, registry, stores, {"v1": ImagesApp(conf, registry, stores)})
    yield app
    registry.close()


def bare(root_app, ctx):
    return webtest.TestApp(root_app, lint=True, extra_environ={context.ENV_KEY: ctx})


@pytest.fixture
def app(images_app):
    return bare(images_app, context.RequestContext(tenant="t1", roles=("member",)))


def test_every_route_works_without_filters(app):
    created = app.post("/images", DATA, status=201, headers={
        **OCTET, "X-Image-Meta-Name": "bare", "X-Image-Meta-Disk-Format": "raw",
        "x-image-meta-property-arch": "x86_64"}).json["image"]
    assert created["status"] == "active" and created["name"] == "bare"
    assert created["properties"] == {"arch": "x86_64"}
    path = f"/images/{created['id']}"

    head = app.head(path, status=200)
    assert head.headers["x-image-meta-name"] == "bare"
    assert head.headers["x-image-meta-size"] == str(len(DATA))
    assert head.headers["x-image-meta-checksum"] == hashlib.md5(DATA).hexdigest()
    assert head.headers["x-image-meta-property-arch"] == "x86_64"
    assert head.body == b""

    got = app.get(path, status=200)
    assert got.body == DATA
    assert got.headers["x-image-meta-disk_format"] == "raw"

    updated = app.put(path, headers={"x-image-meta-name": "renamed",
                                     "x-image-meta-property-os": "linux"}).json["image"]
    assert updated["name"] == "renamed"
    assert updated["properties"] == {"os": "linux"}

    assert [i["id"] for i in app.get("/images").json["images"]] == [created["id"]]
    [detail] = app.get("/images/detail").json["images"]
    assert detail["name"] == "renamed"

    app.delete(path, status=200)
    app.head(path, status=404)
    assert app.get("/images").json["images"] == []


def test_purge_props_works_bare(app):
    image = app.post("/images", headers={"x-image-meta-property-a": "1"}).json["image"]
    updated = app.put(f"/images/{image['id']}", headers={
        "x-glance-registry-purge-props": "FALSE", "x-image-meta-property-b": "2"}).json["image"]
    assert updated["properties"] == {"a": "1", "b": "2"}


def test_a_bad_purge_props_value_is_400_and_changes_nothing(app):
    image = app.post("/images", headers={"x-image-meta-property-a": "1"}).json["image"]
    res = app.put(f"/images/{image['id']}", status=400, headers={
        "x-glance-registry-purge-props": "yes", "x-image-meta-name": "changed"})
    assert "x-glance-registry-purge-props" in res.json["error"]["message"]
    head = app.head(f"/images/{image['id']}")
    assert "x-image-meta-name" not in head.headers
    assert head.headers["x-image-meta-property-a"] == "1"


@pytest.mark.parametrize("method, path", [("POST", "/images"), ("PUT", "/images/1"),
                                          ("GET", "/images"), ("HEAD", "/images/1")])
def test_a_malformed_metadata_header_is_a_json_400_on_any_route(app, method, path):
    app.post("/images")
    res = app.request(path, method=method, headers={"X-Image-Meta-Size": "-3"}, status=400)
    if method != "HEAD":
        assert res.json["error"]["type"] == "image.invalid"
        assert "size" in res.json["error"]["message"]


def test_metadata_headers_are_decoded_typed_and_encoded_back(app):
    image = app.post("/images", headers={
        "X-Image-Meta-Name": "n", "X-Image-Meta-Is-Public": "FALSE",
        "X-Image-Meta-Property-Kernel-Id": "42"}).json["image"]
    assert image["is_public"] is False and image["properties"] == {"kernel_id": "42"}
    head = app.head(f"/images/{image['id']}")
    assert head.headers["x-image-meta-is_public"] == "False"
    assert head.headers["x-image-meta-property-kernel_id"] == "42"


def test_server_fields_sent_by_a_client_are_ignored(app):
    image = app.post("/images", headers={
        "x-image-meta-status": "active", "x-image-meta-owner": "someone-else",
        "x-image-meta-created_at": "2000-01-01T00:00:00"}).json["image"]
    assert image["status"] == "queued" and image["owner"] == "t1"
    assert image["created_at"] != "2000-01-01T00:00:00"


def test_anonymous_callers_may_list_but_not_create(images_app):
    anonymous = bare(images_app, context.RequestContext())
    assert anonymous.get("/images").json["images"] == []
    anonymous.post("/images", status=401)


@pytest.mark.parametrize("prefix", ["/v1", "/v1.0", "/v1.1"])
def test_versioned_paths_reach_v1_and_keep_v1_in_the_uri(app, prefix):
    image = app.post(f"{prefix}/images", status=201).json["image"]
    assert image["uri"] == f"http://localhost/v1/images/{image['id']}"
    assert app.head(f"{prefix}/images/{image['id']}").headers["x-image-meta-uri"] == image["uri"]
    unversioned = app.get(f"/images/{image['id']}", status=404).request.url   # no data yet
    assert "/v1" not in unversioned
    assert app.head(f"/images/{image['id']}").headers["x-image-meta-uri"] == (
        f"http://localhost/images/{image['id']}")


@pytest.mark.parametrize("path", ["/v1", "/v1/", "/"])
def test_the_v1_root_lists_images_as_glance_did(images_app, path):
    admin = bare(images_app, context.admin_context())
    image = admin.post("/images", headers={"x-image-meta-is_public": "true"}).json["image"]
    assert [i["id"] for i in admin.get(path).json["images"]] == [image["id"]]


@pytest.mark.parametrize("path", ["/v2", "/v2/images", "/v2.6/images", "/v2.0/"])
def test_v2_paths_answer_300_while_v2_is_not_served(app, path):
    res = app.get(path, status=300)
    assert [v["id"] for v in res.json["versions"]] == ["v1.1", "v1.0"]


def test_head_of_the_detail_list_is_405_allowing_get(app):
    res = app.head("/v1/images/detail", status=405)
    assert res.headers["Allow"] == "GET"
    assert app.request("/images/detail", method="POST", status=405).headers["Allow"] == "GET"


def test_the_api_package_imports_nothing_from_the_middleware():
    import ast
    import pathlib

    import glance.api
    for path in pathlib.Path(glance.api.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            assert not any(n.startswith("glance.middleware") for n in names), path.name
