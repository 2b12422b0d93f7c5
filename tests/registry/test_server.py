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
from tests.registry.helpers import ALICE, BOB, NOAUTH, as_service, memory_registry

CHOSEN = "5d0c7c8e-3f0b-4a59-8d8a-8a4f3e2b1c0d"


def make_app(registry=None, context=NOAUTH):
    environ = {ctx.ENV_KEY: context} if context is not None else {}
    return webtest.TestApp(server.RegistryApp(registry or memory_registry()), lint=True,
                           extra_environ=environ)


@pytest.fixture
def app():
    return make_app()


def post(app, image, status=200, **kwargs):
    return app.post_json("/images", {"image": image}, status=status, **kwargs)


def posted(app, **image):
    """The id of a new image."""
    return post(app, image).json["image"]["id"]


# -- success -------------------------------------------------------------------

def test_create_answers_200_with_the_image(app):
    response = post(app, {"name": "a"})
    assert response.json["image"]["name"] == "a"


def test_create_defaults_to_active(app):
    assert post(app, {}).json["image"]["status"] == "active"


def test_responses_are_json(app):
    assert post(app, {}).content_type == "application/json"


def test_json_answers_use_pythons_default_separators(app):
    assert post(app, {"name": "a"}).body.startswith(b'{"image": {"id": "')


def test_get_answers_the_image(app):
    image_id = posted(app, name="a")
    assert app.get(f"/images/{image_id}").json["image"]["name"] == "a"


def test_get_does_not_add_a_uri(app):
    image_id = posted(app)
    assert "uri" not in app.get(f"/images/{image_id}").json["image"]


def test_index_lists_brief_images(app):
    image_id = posted(app, name="a", is_public=True)
    assert app.get("/images").json == {"images": [{
        "id": image_id, "name": "a", "type": None, "disk_format": None,
        "container_format": None, "size": None, "checksum": None}]}


def test_detail_lists_full_images(app):
    post(app, {"is_public": True, "properties": {"k": "v"}})
    assert app.get("/images/detail").json["images"][0]["properties"] == {"k": "v"}


def test_list_parameters_reach_the_registry(app):
    for name in ("a", "b"):
        post(app, {"name": name, "is_public": True})
    assert [i["name"] for i in app.get("/images?sort=name:asc&limit=1").json[
        "images"]] == ["a"]


def test_every_list_parameter_is_read(app):
    wanted = posted(app, name="a", visibility="community", tags=["t"], min_ram=2,
                    properties={"k": "v"}, size=4)
    posted(app, name="b", visibility="community")
    query = ("scope=community,own&member_status=accepted&visibility=community&name=a&"
             "min_ram=2&size_min=4&size_max=4&tag=t&property-k=v&"
             "created_at=gte:2000-01-01T00:00:00&updated_at=lt:2999-01-01T00:00:00&"
             "include_deleted=false&sort=name:desc,size:asc&limit=3")
    assert [i["id"] for i in app.get(f"/images/detail?{query}").json["images"]] == [wanted]


def test_utf8_query_parameters_are_decoded(app):
    post(app, {"name": "café", "is_public": True})
    assert len(app.get("/images?name=caf%C3%A9").json["images"]) == 1


def test_update_merges(app):
    image_id = posted(app, name="a", properties={"x": "1"})
    response = app.put_json(f"/images/{image_id}", {"image": {"properties": {"y": "2"}}})
    assert response.json["image"]["properties"] == {"x": "1", "y": "2"}


@pytest.mark.parametrize("value", ["true", "TRUE", " True "])
def test_the_purge_header_replaces_properties(app, value):
    image_id = posted(app, properties={"x": "1"})
    response = app.put_json(f"/images/{image_id}", {"image": {"properties": {"y": "2"}}},
                            headers={"x-glance-registry-purge-props": value})
    assert response.json["image"]["properties"] == {"y": "2"}


@pytest.mark.parametrize("value", ["false", "FALSE", "", "None"])
def test_false_empty_or_none_purge_header_merges(app, value):
    image_id = posted(app, properties={"x": "1"})
    response = app.put_json(f"/images/{image_id}", {"image": {"properties": {"y": "2"}}},
                            headers={"X-Glance-Registry-Purge-Props": value})
    assert response.json["image"]["properties"] == {"x": "1", "y": "2"}


@pytest.mark.parametrize("value", ["yes", "1"])
def test_other_purge_header_values_are_400_and_change_nothing(app, value):
    image_id = posted(app, name="a", properties={"x": "1"})
    response = app.put_json(f"/images/{image_id}", {"image": {"name": "b"}}, status=400,
                            headers={"X-Glance-Registry-Purge-Props": value})
    assert "purge-props" in response.json["error"]["message"]
    assert app.get(f"/images/{image_id}").json["image"]["name"] == "a"


def test_delete_answers_the_deleted_image(app):
    image_id = posted(app)
    assert app.delete(f"/images/{image_id}").json["image"]["deleted"] is True


def test_a_protected_image_is_403(app):
    image_id = posted(app, protected=True)
    assert app.delete(f"/images/{image_id}", status=403).json["error"]["type"] == "image.protected"


def test_head_of_an_image_has_no_body(app):
    image_id = posted(app)
    response = app.head(f"/images/{image_id}")
    assert (response.status_int, response.body) == (200, b"")


# -- members, tags, leases -------------------------------------------------------

def test_member_routes(app):
    image_id = posted(app)
    base = f"/images/{image_id}/members"
    assert app.post_json(base, {"member": {"member_id": "bob"}}).json["member"][
        "status"] == "pending"
    app.post_json(base, {"member": {"member_id": "bob"}}, status=409)
    assert app.put_json(f"{base}/carol", {"member": {"can_share": True}}).json["member"][
        "can_share"] is True
    assert app.put(f"{base}/dave").json["member"]["can_share"] is False
    assert app.get(f"{base}/bob").json["member"]["member_id"] == "bob"
    assert [m["member_id"] for m in app.get(base).json["members"]] == ["bob", "carol", "dave"]
    assert [m["image_id"] for m in app.get("/shared-images/bob").json["shared_images"]] == [
        image_id]
    replaced = app.put_json(base, {"memberships": [{"member_id": "erin"}]}).json["members"]
    assert [m["member_id"] for m in replaced] == ["erin"]
    response = app.delete(f"{base}/erin")
    assert (response.status_int, response.body) == (204, b"")
    app.delete(f"{base}/erin", status=404)


def test_member_ids_in_paths_are_utf8(app):
    image_id = posted(app)
    app.put(f"/images/{image_id}/members/%C3%A9quipe")
    assert app.get(f"/images/{image_id}/members").json["members"][0]["member_id"] == "équipe"


def test_tag_routes(app):
    image_id = posted(app)
    assert app.put(f"/images/{image_id}/tags/a%20b").json["image"]["tags"] == ["a b"]
    assert app.delete(f"/images/{image_id}/tags/a%20b").json["image"]["tags"] == []
    app.delete(f"/images/{image_id}/tags/a%20b", status=404)


def test_lease_routes(app):
    image_id = posted(app, status="queued")
    holder = {"node": "n", "instance": "r", "pid": 3}
    lease = {"lease": {"holder": holder, "seconds": 60}}
    assert app.post_json(f"/images/{image_id}/lease", lease).json["image"]["status"] == "saving"
    app.post_json(f"/images/{image_id}/lease", lease, status=409)
    assert app.post_json("/leases/renew", lease).json["images"] == [image_id]
    ended = app.post_json(f"/images/{image_id}/lease/end",
                          {"lease": {"holder": holder}, "image": {"status": "active"}})
    assert ended.json["image"]["status"] == "active"
    assert app.post_json("/leases/expire", {"expire": {"reason": "x"}}).json["images"] == []


@pytest.mark.parametrize("path,body", [
    ("/images/{id}/lease", {"lease": {"holder": {"node": "n"}, "seconds": 60}}),
    ("/images/{id}/lease", {"lease": {"holder": {"node": "n", "instance": "r", "pid": 1},
                                      "seconds": "soon"}}),
    ("/images/{id}/lease", {"holder": {}}),
    ("/leases/renew", {"lease": []}),
    ("/leases/expire", {"expire": {"reason": "x", "pid": "1"}}),
    ("/images/{id}/members", {"member": {"member_id": ""}}),
    ("/images/{id}/members", {"memberships": "bob"}),
])
def test_bad_bodies_of_the_other_routes_are_400(app, path, body):
    image_id = posted(app, status="queued")
    method = "PUT" if body.get("memberships") else "POST"
    response = app.request(path.format(id=image_id), method=method,
                           body=json.dumps(body).encode(), content_type="application/json",
                           expect_errors=True)
    assert response.status_int == 400, response.text


def test_a_trailing_slash_on_the_collection_is_accepted(app):
    assert app.get("/images/").json == {"images": []}


# -- context -------------------------------------------------------------------

def test_the_context_from_the_environ_owns_created_images(app):
    response = post(app, {}, extra_environ={ctx.ENV_KEY: ALICE})
    assert response.json["image"]["owner"] == "alice"


def test_without_a_context_the_caller_is_anonymous():
    registry = memory_registry()
    image = registry.create_image(ALICE, {})
    make_app(registry, context=None).get(f"/images/{image['id']}", status=404)


def test_the_context_decides_visibility():
    registry = memory_registry()
    image = registry.create_image(ALICE, {})
    make_app(registry, context=BOB).get(f"/images/{image['id']}", status=404)


def test_a_non_owner_update_is_forbidden():
    registry = memory_registry()
    image = registry.create_image(ALICE, {"is_public": True})
    response = make_app(registry, context=BOB).put_json(
        f"/images/{image['id']}", {"image": {"name": "x"}}, status=403)
    assert response.json["error"]["type"] == "auth.forbidden"


def test_server_fields_from_a_non_service_caller_are_403():
    response = make_app(context=ALICE).post_json(
        "/images", {"image": {"location": "file:///var/lib/glance/images/x"}}, status=403)
    assert "location" in response.json["error"]["message"]
    make_app(context=as_service(ALICE)).post_json(
        "/images", {"image": {"location": "file:///x"}}, status=200)


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
    post(app, {"id": CHOSEN})
    assert post(app, {"id": CHOSEN}, status=409).json["error"]["type"] == "image.duplicate"


def test_a_proposed_id_that_is_no_uuid_is_400(app):
    assert "UUID" in post(app, {"id": "5"}, status=400).json["error"]["message"]


def test_an_unknown_id_is_404(app):
    assert CHOSEN in app.get(f"/images/{CHOSEN}", status=404).json["error"]["message"]


@pytest.mark.parametrize("path", ["/images/abc", "/images/-1", "/images/0",
                                  f"/images/{2**64}", "/images/..%2F..%2Fetc",
                                  "/images/1.0", "/images/%EF%BC%91", f"/images/{CHOSEN.upper()}"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_path_ids_that_name_no_image_are_404(app, path, method):
    post(app, {})
    response = app.request(path, method=method, body=b'{"image": {}}',
                           content_type="application/json", expect_errors=True)
    assert response.status_int == 404


def test_a_second_delete_is_404(app):
    image_id = posted(app)
    app.delete(f"/images/{image_id}")
    app.delete(f"/images/{image_id}", status=404)


def test_put_of_an_unknown_image_is_404(app):
    app.put_json(f"/images/{CHOSEN}", {"image": {}}, status=404)


@pytest.mark.parametrize("body", [b"{", b"", b"[]", b'"image"', b'{"image": "x"}', b"{}",
                                  b'{"image": null}', b'{"image": []}', b"\xff\xfe",
                                  b'{"image": {"size": NaN}}', b'{"image": {"size": Infinity}}',
                                  b'{"image": {"size": -Infinity}}', b'{"image": {"size": 1e999}}',
                                  b'{"image": {"size": ' + b"9" * 5000 + b"}}",
                                  b"[" * 100000, b'{"a":' * 50000,
                                  b'{"image": {"properties": {"k": ' + b"[" * 100000 + b"}}}",
                                  b'{"image": {"name": "\xc3\x28"}}'])
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_body_that_is_not_an_image_object_is_400(app, body, method):
    image_id = posted(app)
    path = "/images" if method == "POST" else f"/images/{image_id}"
    response = app.request(path, method=method, body=body, content_type="application/json",
                           expect_errors=True)
    assert (response.status_int, response.json["error"]["type"]) == (400, "image.invalid")


def test_nesting_inside_properties_within_the_parser_limit_is_400(app):
    nested = "[" * 500 + "]" * 500
    body = ('{"image": {"properties": {"k": ' + nested + "}}}").encode()
    response = app.request("/images", method="POST", body=body,
                           content_type="application/json", expect_errors=True)
    assert response.status_int == 400 and len(response.body) < 1000


def test_a_rejected_post_leaves_no_record(app):
    app.request("/images", method="POST", body=b"{", content_type="application/json",
                expect_errors=True)
    assert app.get("/images?scope=all").json["images"] == []


@pytest.mark.parametrize("query,param", [
    ("limit=-1", "limit"), ("limit=x", "limit"), ("sort=properties:asc", "sort_key"),
    ("sort=name:up", "sort_dir"), ("marker=abc", "marker"), (f"marker={CHOSEN}", "marker"),
    ("size_min=x", "size_min"), ("size_max=1.5", "size_max"), ("scope=everyone", "scope"),
    ("visibility=x", "visibility"), ("member_status=maybe", "member_status"),
    ("created_at=gt:yesterday", "created_at"), ("include_deleted=maybe", "include_deleted"),
    ("protected=maybe", "protected"), ("tag=a/b", "tag")])
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
                          "owner", "uri", "x", "visibility", "tags", "min_ram", "protected",
                          "os_hidden", "virtual_size"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(image=st.dictionaries(fields, json_values, max_size=5),
       method=st.sampled_from(["POST", "PUT"]))
def test_no_image_body_makes_a_server_error(image, method):
    app = make_app()
    image_id = posted(app)
    path = "/images" if method == "POST" else f"/images/{image_id}"
    response = app.request(path, method=method, body=json.dumps({"image": image}).encode(),
                           content_type="application/json", expect_errors=True)
    assert response.status_int in (200, 400, 409, 413), response.text


@settings(max_examples=150, deadline=None)
@given(params=st.dictionaries(st.sampled_from(
    ["limit", "marker", "sort", "scope", "size_min", "size_max", "visibility", "name",
     "status", "property-k", "tag", "member_status", "created_at", "include_deleted",
     "protected", "Sort-Dir"]), st.text(), max_size=4))
def test_no_list_query_makes_a_server_error(params):
    app = make_app()
    post(app, {"properties": {"k": "v"}})

    response = app.get("/images/detail?" + urlencode(params), expect_errors=True)
    assert response.status_int in (200, 400), response.text


def test_the_v1_list_parameters_are_understood_too(app):
    """CONTRACT §5: the registry accepts the v1 list's parameters, as a v1-era
    caller sends them (is_public, sort_key, sort_dir, changes-since)."""
    for size in (30, 10, 20):
        post(app, {"size": size, "is_public": True})
    res = app.get("/images/detail?is_public=none&sort_key=size&sort_dir=asc")
    assert [image["size"] for image in res.json["images"]] == [10, 20, 30]
    app.get("/images?is_public=maybe", status=400)
    app.get("/images?sort_key=properties", status=400)
