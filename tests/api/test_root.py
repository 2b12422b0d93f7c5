"""The root app (`glance.api.root`): dispatch by the first path segment, one
registry, one set of stores and one upload keeper for every API, and its
factory (v1 and v2 by default)."""

import os

import pytest
import webtest

from glance.api import root
from glance.common import context


def echo(name):
    def app(environ, start_response):
        body = f"{name}|{environ.get('SCRIPT_NAME', '')}|{environ['PATH_INFO']}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return app


def serving(*apis):
    return webtest.TestApp(root.RootApp(None, None, None, {api: echo(api) for api in apis}),
                           lint=True)


@pytest.mark.parametrize("path, seen", [
    ("/images", "v1||/images"), ("/", "v1||/"), ("/v1/images/7", "v1|/v1|/images/7"),
    ("/v1.0/images", "v1|/v1|/images"), ("/v1.1/images/detail", "v1|/v1|/images/detail"),
    ("/v1", "v1|/v1|"), ("/v1/", "v1|/v1|/"), ("/versions", "v1||/versions"),
    ("/v1x/images", "v1||/v1x/images"), ("//images", "v1||//images")])
def test_v1_gets_its_prefixed_and_unversioned_paths(path, seen):
    assert serving("v1").get(path).text == seen


@pytest.mark.parametrize("path", ["/v2/images", "/v2", "/v2.0/schemas/image", "/v2.6/"])
def test_v2_paths_answer_300_while_v2_is_not_served(path):
    res = serving("v1").get(path, status=300)
    assert [v["id"] for v in res.json["versions"]] == ["v1.1", "v1.0"]


@pytest.mark.parametrize("path, seen", [("/v2/images", "v2|/v2|/images"),
                                        ("/v2.3/images/x/file", "v2|/v2|/images/x/file")])
def test_v2_gets_its_paths_once_served(path, seen):
    app = serving("v1", "v2")
    assert app.get(path).text == seen
    assert app.get("/images").text == "v1||/images"


def _factory(tmp_path, monkeypatch, **options):
    for name in [key for key in os.environ if key.startswith("GLANCE_")]:
        monkeypatch.delenv(name)
    return root.app_factory({"here": str(tmp_path)},
                            sql_connection=f"sqlite:///{tmp_path}/g.sqlite",
                            filesystem_store_datadir=str(tmp_path / "images"), **options)


def test_the_factory_builds_one_registry_and_stores_for_its_apis(tmp_path, monkeypatch):
    app = _factory(tmp_path, monkeypatch)
    try:
        v1, v2 = app.apps["v1"], app.apps["v2"]
        assert app.served == ("v1", "v2")
        assert v1.registry is app.registry is v2.services.registry
        assert v1.stores is app.stores is v2.services.stores
        assert v1.keeper is app.keeper is v2.services.keeper
        client = webtest.TestApp(app, extra_environ={context.ENV_KEY: context.admin_context()})
        image = client.post_json("/v2/images", {"name": "one"}, status=201).json
        assert client.head(f"/v1/images/{image['id']}").headers["x-image-meta-name"] == "one"
    finally:
        app.registry.close()


def test_v1_alone_when_enabled_apis_says_so(tmp_path, monkeypatch):
    app = _factory(tmp_path, monkeypatch, enabled_apis="v1")
    try:
        assert app.served == ("v1",)
        webtest.TestApp(app).get("/v2/images", status=300)
    finally:
        app.registry.close()
