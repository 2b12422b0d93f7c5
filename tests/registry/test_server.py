"""The registry's WSGI app, in process through WebTest (lint on)."""

import json
from urllib.parse import urlencode

import pytest
import webtest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glance.common import context as ctx
from glance.common import exception
from glance.registry import server
from tests.registry.helpers import ALICE, BOB, NOAUTH, memory_registry


def make_app(registry=None, context=NOAUTH):
    environ = {ctx.ENV_KEY: context} if context is not None else {}
    return webtest.TestApp(server.RegistryApp(registry or memory_registry()), lint=True,
                           extra_environ=environ)


@pytest.fixture
def app():
    return make_app()


def post(app, image, status=200, **kwargs):
    return app.post_json("/images", {"image": image}, status=status, **kwargs)


# -- success -------------------------------------------------------------------

def test_create_answers_200_with_the_image(app):
    response = post(app, {"name": "a"})
    assert response.json["image"]["name"] == "a"


def test_create_defaults_to_active(app):
    assert post(app, {}).json["image"]["status"] == "active"


def test_responses_are_json(app):
    assert post(app, {}).content_type == "application/json"


def test_get_answers_the_image(app):
    post(app, {"name": "a"})
    assert app.get("/images/1").json["image"]["name"] == "a"


def test_get_does_not_add_a_uri(app):
    post(app, {})
    assert "uri" not in app.get("/images/1").json["image"]


def test_index_lists_brief_images(app):
    post(app, {"name": "a", "is_public": True})
    assert app.get("/images").json == {"images": [{
        "id": 1, "name": "a", "type": None, "disk_format": None, "container_format": None,
        "checksum": None, "size": 0}]}


def test_detail_lists_full_images(app):
    post(app, {"is_public": True, "properties": {"k": "v"}})
    assert app.get("/images/detail").json["images"][0]["properties"] == {"k": "v"}


def test_list_parameters_reach_the_registry(app):
    for name in ("a", "b"):
        post(app, {"name": name, "is_public": True})
    assert [i["name"] for i in app.get("/images?sort_key=name&sort_dir=asc&limit=1").json[
        "images"]] == ["a"]


def test_utf8_query_parameters_are_decoded(app):
    post(app, {"name": "café", "is_public": True})
    assert len(app.get("/images?name=caf%C3%A9").json["images"]) == 1


def test_update_merges(app):
    post(app, {"name": "a", "properties": {"x": "1"}})
    response = app.put_json("/images/1", {"image": {"properties": {"y": "2"}}})
    assert response.json["image"]["properties"] == {"x": "1", "y": "2"}


@pytest.mark.parametrize("value", ["true", "TRUE", " True "])
def test_the_purge_header_replaces_properties(app, value):
    post(app, {"properties": {"x": "1"}})
    response = app.put_json("/images/1", {"image": {"properties": {"y": "2"}}},
                            headers={"x-glance-registry-purge-props": value})
    assert response.json["image"]["properties"] == {"y": "2"}


@pytest.mark.parametrize("value", ["false", "FALSE", "", "None"])
def test_false_empty_or_none_purge_header_merges(app, value):
    post(app, {"properties": {"x": "1"}})
    response = app.put_json("/images/1", {"image": {"properties": {"y": "2"}}},
                             headers={"X-Glance-Registry-Purge-Props": value})
    assert response.json["image"]["properties"] == {"x": "1", "y": "2"}


@pytest.mark.parametrize("value", ["yes", "1"])
def test_other_purge_header_values_are_400_and_change_nothing(app, value):
    post(app, {"name": "a", "properties": {"x": "1"}})
    response = app.put_json("/images/1", {"image": {"name": "b"}}, status=400,
                            headers={"X-Glance-Registry-Purge-Props": value})
    assert "purge-props" in response.json["error"]["message"]
    assert app.get("/images/1").json["image"]["name"] == "a"


def test_delete_answers_the_deleted_image(app):
    post(app, {})
    assert app.delete("/images/1").json["image"]["deleted"] is True


def test_head_of_an_image_has_no_body(app):
    post(app, {})
    response = app.head("/images/1")
    assert (response.status_int, response.body) == (200, b"")


def test_a_trailing_slash_on_the_collection_is_accepted(app):
    assert app.get("/images/").json == {"images": []}


# -- context -------------------------------------------------------------------

def test_the_context_from_the_environ_owns_created_images(app):
    response = post(app, {}, extra_environ={ctx.ENV_KEY: ALICE})
    assert response.json["image"]["owner"] == "alice"


def test_without_a_context_the_caller_is_anonymous():
    registry = memory_registry()
    registry.create_image(ALICE, {})
    make_app(registry, context=None).get("/images/1", status=404)


def test_the_context_decides_visibility():
    registry = memory_registry()
    registry.create_image(ALICE, {})
    make_app(registry, context=BOB).get("/images/1", status=404)


def test_a_non_owner_update_is_forbidden():
    registry = memory_registry()
    registry.create_image(ALICE, {"is_public": True})
    response = make_app(registry, context=BOB).put_json("/images/1", {"image": {"name": "x"}},
                                                        status=403)
    assert response.json["error"]["type"] == "auth.forbidden"


def test_is_public_none_from_a_non_admin_is_403():
    make_app(context=ALICE).get("/images?is_public=none", status=403)


# -- errors --------------------------------------------------------------------

def test_a_validation_error_is_400_naming_the_value(app):
    response = post(app, {"disk_format": "qcow3"}, status=400)
    assert "qcow3" in response.json["error"]["message"]


def test_errors_are_json_with_code_and_message(app):
    response = post(app, {"disk_format": "qcow3"}, status=400)
    assert (response.content_type, response.json["error"]["type"]) == ("application/json",
                                                              "image.invalid")


def test_the_ami_rule_message_is_literal(app):
    response = post(app, {"disk_format": "ami", "container_format": "bare"}, status=400)
    assert "Invalid mix of disk and container formats" in response.json["error"]["message"]


def test_a_taken_id_is_409(app):
    post(app, {"id": 5})
    assert post(app, {"id": 5}, status=409).json["error"]["type"] == "image.duplicate"


def test_an_unknown_id_is_404(app):
    assert "42" in app.get("/images/42", status=404).json["error"]["message"]


@pytest.mark.parametrize("path", ["/images/abc", "/images/-1", "/images/0",
                                  f"/images/{2**64}", "/images/..%2F..%2Fetc",
                                  "/images/1.0", "/images/%EF%BC%91"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_path_ids_that_name_no_image_are_404(app, path, method):
    post(app, {})
    response = app.request(path, method=method, body=b'{"image": {}}',
                           content_type="application/json", expect_errors=True)
    assert response.status_int == 404


def test_a_second_delete_is_404(app):
    post(app, {})
    app.delete("/images/1")
    app.delete("/images/1", status=404)


def test_put_of_an_unknown_image_is_404(app):
    app.put_json("/images/9", {"image": {}}, status=404)


@pytest.mark.parametrize("body", [b"{", b"", b"[]", b'"image"', b'{"image": "x"}', b"{}",
                                  b'{"image": null}', b'{"image": []}', b"\xff\xfe"])
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_body_that_is_not_an_image_object_is_400(app, body, method):
    post(app, {})
    path = "/images" if method == "POST" else "/images/1"
    response = app.request(path, method=method, body=body, content_type="application/json",
                           expect_errors=True)
    assert (response.status_int, response.json["error"]["type"]) == (400, "image.invalid")


def test_a_rejected_post_leaves_no_record(app):
    app.request("/images", method="POST", body=b"{", content_type="application/json",
                expect_errors=True)
    assert app.get("/images?is_public=none").json["images"] == []


@pytest.mark.parametrize("query,param", [
    ("limit=-1", "limit"), ("limit=x", "limit"), ("sort_key=properties", "sort_key"),
    ("sort_dir=up", "sort_dir"), ("marker=abc", "marker"), ("marker=99", "marker"),
    ("size_min=x", "size_min"), ("size_max=1.5", "size_max"), ("is_public=maybe", "is_public")])
def test_bad_list_parameters_are_400_naming_them(app, query, param):
    response = app.get(f"/images?{query}", status=400)
    assert param in response.json["error"]["message"]


def test_a_query_string_that_is_not_utf8_is_400(app):
    app.get("/images?name=%FF", status=400)


def test_an_unknown_path_is_404(app):
    assert app.get("/nothing", status=404).content_type == "application/json"


def test_a_wrong_method_is_405_with_allow(app):
    response = app.request("/images", method="PATCH", expect_errors=True)
    assert (response.status_int, response.headers["Allow"]) == (405, "GET, POST")


class ExplodingRegistry:
    def get_image(self, context, image_id):
        raise RuntimeError("secret internals")


def test_an_unexpected_error_is_a_500_without_details():
    response = make_app(ExplodingRegistry()).get("/images/1", status=500)
    assert "secret" not in response.text and response.content_type == "application/json"


# -- the factory ---------------------------------------------------------------

def test_app_factory_serves_the_configured_database(tmp_path):
    path = tmp_path / "reg" / "glance.sqlite"
    app = server.app_factory({"here": str(tmp_path)}, sql_connection=f"sqlite:///{path}")
    webtest.TestApp(app, lint=True).get("/images")
    assert path.exists()


def test_app_factory_refuses_unknown_options():
    with pytest.raises(exception.ConfigError, match="colour"):
        server.app_factory({}, colour="blue")


# -- no input makes a 5xx ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children,
                                                                      max_size=3),
    max_leaves=8)
fields = st.sampled_from(["id", "name", "type", "disk_format", "container_format", "size",
                          "status", "is_public", "properties", "checksum", "location",
                          "owner", "uri", "x"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(image=st.dictionaries(fields, json_values, max_size=5),
       method=st.sampled_from(["POST", "PUT"]))
def test_no_image_body_makes_a_server_error(image, method):
    app = make_app()
    post(app, {})
    path = "/images" if method == "POST" else "/images/1"
    response = app.request(path, method=method, body=json.dumps({"image": image}).encode(),
                           content_type="application/json", expect_errors=True)
    assert response.status_int in (200, 400, 409), response.text


@settings(max_examples=150, deadline=None)
@given(params=st.dictionaries(st.sampled_from(
    ["limit", "marker", "sort_key", "sort_dir", "size_min", "size_max", "is_public", "name",
     "status", "property-k", "Sort-Dir"]), st.text(), max_size=4))
def test_no_list_query_makes_a_server_error(params):
    app = make_app()
    post(app, {"properties": {"k": "v"}})

    response = app.get("/images/detail?" + urlencode(params), expect_errors=True)
    assert response.status_int in (200, 400), response.text
