"""The root app (`glance.api.root`): dispatch by the first path segment, the
v2 seam, one registry and one set of stores for every API, and its factory."""

import os

import pytest
import webtest

from glance.api import root
from glance.common import exception


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


def test_v2_cannot_be_enabled_before_it_exists(tmp_path):
    with pytest.raises(exception.ConfigError, match="v2"):
        root.app_factory({"here": str(tmp_path)}, enabled_apis="v1, v2",
                         sql_connection=f"sqlite:///{tmp_path}/g.sqlite",
                         filesystem_store_datadir=str(tmp_path / "images"))


def test_the_factory_builds_one_registry_and_stores_for_its_apis(tmp_path, monkeypatch):
    for name in [key for key in os.environ if key.startswith("GLANCE_")]:
        monkeypatch.delenv(name)
    app = root.app_factory({"here": str(tmp_path)},
                           sql_connection=f"sqlite:///{tmp_path}/g.sqlite",
                           filesystem_store_datadir=str(tmp_path / "images"))
    try:
        [v1] = app.apps.values()
        assert app.served == ("v1",)
        assert v1.registry is app.registry and v1.stores is app.stores
        assert webtest.TestApp(app).get("/v1/images").json == {"images": []}
    finally:
        app.registry.close()

