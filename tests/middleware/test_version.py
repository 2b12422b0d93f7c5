"""Version negotiation (CONTRACT §2, §8)."""

import pytest
import webtest

from glance.middleware.version import VersionNegotiation


def echo_app(environ, start_response):
    body = f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def app():
    return webtest.TestApp(VersionNegotiation(echo_app))


@pytest.mark.parametrize("path", ["/", "/versions"])
def test_root_and_versions_answer_300(app, path):
    res = app.get(path, status=300)
    assert res.content_type == "application/json"
    version = res.json["versions"][0]
    assert version["id"] == "v1.0" and version["status"] == "CURRENT"
    assert {"rel": "self", "href": "http://localhost:80/v1/"} in version["links"] or \
        {"rel": "self", "href": "http://localhost/v1/"} in version["links"]


def test_v1_prefix_moves_into_script_name(app):
    assert app.get("/v1/images/3").text == "/v1|/images/3"


def test_unversioned_paths_pass_unchanged(app):
    assert app.get("/images").text == "|/images"


def test_unknown_version_path_answers_300(app):
    app.get("/v2/images", status=300)


def test_unknown_version_media_type_answers_300(app):
    app.get("/images", headers={"Accept": "application/vnd.openstack.images-v2+json"},
            status=300)


def test_v1_media_type_is_served(app):
    res = app.get("/images", headers={"Accept": "application/vnd.openstack.images-v1+json"})
    assert res.text == "|/images"


def test_path_that_merely_starts_with_v_is_not_a_version(app):
    assert app.get("/vmimages").text == "|/vmimages"
