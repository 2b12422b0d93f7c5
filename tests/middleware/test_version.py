"""Version negotiation, the `version` filter (CONTRACT §2), and the versions document."""

import pytest
import webtest

from glance.api import versions
from glance.middleware.version import UNKNOWN, VersionNegotiation, accepted_api, filter_factory

BASE = "http://localhost"


def echo_app(environ, start_response):
    body = f"{environ.get('SCRIPT_NAME', '')}|{environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


def entry(version, status, api):
    return {"id": version, "status": status, "links": [{"rel": "self", "href": f"{BASE}/{api}/"}]}


V1_DOCUMENT = {"versions": [entry("v1.1", "DEPRECATED", "v1"), entry("v1.0", "DEPRECATED", "v1")]}
BOTH_DOCUMENT = {"versions": [entry("v2.6", "CURRENT", "v2"),
                              *(entry(f"v2.{m}", "SUPPORTED", "v2") for m in (5, 4, 3, 2, 1, 0)),
                              *V1_DOCUMENT["versions"]]}


@pytest.fixture
def app():
    return webtest.TestApp(VersionNegotiation(echo_app), lint=True)


@pytest.fixture
def app_v2():
    return webtest.TestApp(VersionNegotiation(echo_app, served=("v1", "v2")), lint=True)


# -- the document ------------------------------------------------------------------------

def test_v1_only_document_is_glance_queens_two_v1_entries(app):
    res = app.get("/", status=300)
    assert res.content_type == "application/json"
    assert res.json == V1_DOCUMENT


def test_with_v2_the_document_is_glance_queens_whole_byte_for_byte(app_v2):
    res = app_v2.get("/", status=300)
    assert res.json == BOTH_DOCUMENT
    assert res.body.startswith(b'{"versions": [{"id": "v2.6", "status": "CURRENT", "links": '
                               b'[{"rel": "self", "href": "http://localhost/v2/"}]}, ')


@pytest.mark.parametrize("path", ["/versions", "/versions/", "/versions/anything"])
def test_versions_answers_200(app, path):
    assert app.get(path, status=200).json == V1_DOCUMENT


def test_versions_answers_200_whatever_the_accept(app):
    res = app.get("/versions", headers={"Accept": "application/vnd.openstack.images-v1"},
                  status=200)
    assert res.json == V1_DOCUMENT


def test_the_document_links_to_the_requests_host(app):
    res = app.get("/versions", headers={"Host": "glance.example:9292"})
    assert res.json["versions"][0]["links"][0]["href"] == "http://glance.example:9292/v1/"


def test_head_of_the_document_has_no_body(app):
    res = app.head("/", status=300)
    assert res.body == b"" and int(res.headers["Content-Length"]) > 0


# -- paths -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/images/3", "/v1.0/images", "/v1.1/images/detail", "/v1",
                                  "/v1/versions"])
def test_served_version_paths_pass_unchanged(app, path):
    assert app.get(path).text == f"|{path}"


@pytest.mark.parametrize("path", ["/v1.a/images", "/va.1/images", "/v9/images", "/v10",
                                  "/v1.2/images", "/vmimages", "/v2/images", "/v2.6/"])
def test_unknown_version_segments_answer_300_with_the_document(app, path):
    assert app.get(path, status=300).json == V1_DOCUMENT


@pytest.mark.parametrize("path", ["/v2/images", "/v2", "/v2.0/images", "/v2.6/schemas/image"])
def test_v2_paths_pass_when_v2_is_served(app_v2, path):
    assert app_v2.get(path).text == f"|{path}"


def test_unversioned_paths_pass_unchanged(app):
    assert app.get("/images").text == "|/images"
    assert app.get("/images/detail").text == "|/images/detail"


# -- Accept on unversioned paths ------------------------------------------------------------

@pytest.mark.parametrize("accept", ["application/vnd.openstack.images-v1",
                                    "application/vnd.openstack.images-v1+json",
                                    "application/vnd.openstack.images-v1.1",
                                    "application/json, application/vnd.openstack.images-v1.0+json"])
def test_images_v1_media_types_serve_v1_unchanged(app, accept):
    assert app.get("/images", headers={"Accept": accept}).text == "|/images"


def test_images_v1_media_type_on_the_root_reaches_v1(app):
    accept = "application/vnd.openstack.images-v1"
    assert app.get("/", headers={"Accept": accept}).text == "|/"


@pytest.mark.parametrize("accept", ["application/vnd.openstack.images-v10",
                                    "application/vnd.openstack.images-v3+json",
                                    "application/vnd.openstack.images-va",
                                    "application/vnd.openstack.images-v2+json"])
def test_other_images_versions_answer_300(app, accept):
    assert app.get("/images", headers={"Accept": accept}, status=300).json == V1_DOCUMENT


def test_images_v2_media_type_routes_to_v2_when_served(app_v2):
    accept = "application/vnd.openstack.images-v2.1+json"
    assert app_v2.get("/images", headers={"Accept": accept}).text == "|/v2/images"


@pytest.mark.parametrize("accept", ["unknown", "application/json",
                                    "application/vnd.openstack.compute-v1"])
def test_other_accepts_serve_v1_except_on_the_root(app, accept):
    assert app.get("/images", headers={"Accept": accept}).text == "|/images"
    assert app.get("/", headers={"Accept": accept}, status=300).json == V1_DOCUMENT


def test_accept_does_not_matter_on_versioned_paths(app):
    accept = "application/vnd.openstack.images-v10"
    assert app.get("/v1/images", headers={"Accept": accept}).text == "|/v1/images"


@pytest.mark.parametrize("accept, api", [
    (None, None), ("text/html", None), ("application/vnd.openstack.images-v1", "v1"),
    ("APPLICATION/VND.OPENSTACK.IMAGES-V2+JSON;q=0.9", "v2"),
    ("application/vnd.openstack.images-v2.6", "v2"),
    ("application/vnd.openstack.images-v1.1.1", UNKNOWN),
    ("application/vnd.openstack.images-", UNKNOWN),
    ("application/vnd.openstack.images-v0", UNKNOWN)])
def test_accepted_api(accept, api):
    assert accepted_api(accept) == api


# -- configuration -----------------------------------------------------------------------

def test_the_filter_serves_the_configured_apis():
    make_filter = filter_factory({}, enabled_apis="v1")
    assert make_filter(echo_app).served == ("v1",)


def test_the_documents_entries_come_from_one_table():
    assert versions.document(BASE, ("v1",)) == V1_DOCUMENT
    assert versions.document(BASE, ("v1", "v2")) == BOTH_DOCUMENT
    assert versions.api_of("v1.1", ("v1",)) == "v1" and versions.api_of("v2", ("v1",)) is None
