"""The v2 app as a whole (`glance.api.v2.app`, `discovery`): discovery,
routing, the one error path, identity, the data-route seam, and bad input
never answered with a 5xx (CONTRACT §2 Versions, §4, §9)."""

import dataclasses
import json
from urllib.parse import quote, urlencode

import pytest
import webtest
from hypothesis import HealthCheck, given, settings, strategies as st

from glance.api.v2 import app as v2app, schemas
from glance.common import context
from tests.api.v2.conftest import (ADMIN, ANONYMOUS, OTHER, OWNER, SchemaCheck, create, error,
                                   v2_of)

V2_VERSIONS = [f"v2.{minor}" for minor in range(6, -1, -1)]


# -- discovery ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v2", "/v2/", "/v2.3/"])
def test_the_version_document(noauth, path):
    answer = noauth.get(path, status=200)
    assert answer.json == {"version": {"id": "v2.6", "status": "CURRENT", "links": [
        {"rel": "self", "href": "http://localhost/v2/"}]}}
    assert answer.content_type == "application/json"


def test_the_versions_document_lists_v2_then_v1(noauth):
    versions = noauth.get("/versions", status=200).json["versions"]
    assert [(v["id"], v["status"]) for v in versions] == (
        [("v2.6", "CURRENT")] + [(v, "SUPPORTED") for v in V2_VERSIONS[1:]]
        + [("v1.1", "DEPRECATED"), ("v1.0", "DEPRECATED")])
    assert versions[0]["links"] == [{"rel": "self", "href": "http://localhost/v2/"}]
    assert noauth.get("/", status=300).json["versions"] == versions


def test_an_images_v2_accept_on_an_unversioned_path_reaches_v2(noauth):
    image = create(noauth, ADMIN, name="n")
    answer = noauth.get(f"/images/{image['id']}",
                        headers={"Accept": "application/vnd.openstack.images-v2+json"})
    assert answer.json["self"] == f"/v2/images/{image['id']}"


@pytest.mark.parametrize("name", ["image", "images", "member", "members"])
def test_the_schemas_are_served_as_encoded(noauth, name):
    answer = noauth.get(f"/v2/schemas/{name}", status=200)
    assert answer.body == schemas.BODIES[name]
    assert answer.content_type == "application/json"


def test_import_info_lists_the_methods_served(noauth):
    assert noauth.get("/v2/info/import").json == {"import-methods": {
        "description": "Import methods available.", "type": "array",
        "value": list(v2_of(noauth).services.import_methods)}}


def test_stores_info_names_the_default_and_the_read_only_stores(noauth):
    stores = noauth.get("/v2/info/stores").json["stores"]
    assert stores[0] == {"id": "file", "description": "Local filesystem store",
                         "default": "true"}
    assert {"id": "http", "description": "Images at http(s) locations (read-only)",
            "read-only": "true"} in stores


@pytest.mark.parametrize("path", ["/v2/tenants", "/v2/tenants/9d2c7d3e0f8a4b5c",
                                  "/v2/tenants/a/b"])
def test_tenants_are_403_so_that_osc_uses_project_ids_verbatim(noauth, path):
    assert error(noauth.get(path, status=403))[:2] == (403, "auth.forbidden")


# -- routing ------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path,allow", [
    ("PUT", "/v2/images/{id}", "DELETE, GET, PATCH"),
    ("DELETE", "/v2/images", "GET, POST"),
    ("GET", "/v2/images/{id}/tags/x", "DELETE, PUT"),
    ("GET", "/v2/images/{id}/actions/deactivate", "POST"),
    ("PATCH", "/v2/images/{id}/members", "GET, POST"),
    ("POST", "/v2/images/{id}/members/t", "DELETE, GET, PUT"),
    ("POST", "/v2/schemas/image", "GET"),
    ("DELETE", "/v2/info/stores", "GET"),
])
def test_a_known_path_with_another_method_is_405_with_allow(noauth, method, path, allow):
    image = create(noauth, ADMIN)
    answer = noauth.request(path.format(id=image["id"]), method=method, status=405)
    assert answer.headers["Allow"] == allow
    assert error(answer)[:2] == (405, "http.method_not_allowed")


@pytest.mark.parametrize("path", [
    "/v2/metadefs/namespaces", "/v2/tasks", "/v2/cache", "/v2/images/{id}/locations",
    "/v2/schemas/foo", "/v2/schemas", "/v2/info", "/v2/images/{id}/actions/kill",
    "/v2/nothing"])
def test_unknown_paths_and_apis_not_provided_are_404(noauth, path):
    image = create(noauth, ADMIN)
    assert error(noauth.get(path.format(id=image["id"]), status=404))[0] == 404


def test_the_data_routes_are_served_and_listed_as_import_methods(noauth):
    image = create(noauth, ADMIN)
    noauth.get(f"/v2/images/{image['id']}/file", status=204)     # queued: no data yet
    methods = noauth.get("/v2/info/import").json["import-methods"]["value"]
    assert methods == ["glance-direct", "web-download"]


def test_route_modules_add_their_routes_to_the_one_router(noauth):
    class FakeData:
        @staticmethod
        def add_routes(router, services):
            services.import_methods.append("glance-direct")
            router.add("PUT", r"/images/(?P<image_id>[^/]+)/file", FakeData.upload)

        @staticmethod
        def upload(environ, start_response, image_id):
            start_response("204 No Content", [])
            return []

    modules = tuple(m for m in v2app.ROUTE_MODULES if m is not v2app.data) + (FakeData,)
    services = dataclasses.replace(v2_of(noauth).services, import_methods=[], after_delete=[])
    app = v2app.V2App(services, route_modules=modules)
    client = webtest.TestApp(app, lint=True,
                             extra_environ={context.ENV_KEY: context.admin_context()})
    client.put("/images/x/file", status=204)
    assert client.get("/info/import").json["import-methods"]["value"] == ["glance-direct"]
    created = client.post_json("/images", {}, status=201)
    assert created.headers["OpenStack-image-import-methods"] == "glance-direct"


# -- errors and identity --------------------------------------------------------------------

def test_errors_have_the_one_shape_led_by_the_status_line(api):
    answer = api.get("/v2/images/00000000-0000-4000-8000-000000000000", headers=OWNER,
                     status=404)
    assert answer.content_type == "application/json"
    assert set(answer.json) == {"error"}
    code, kind, message = error(answer)
    assert (code, kind) == (404, "image.not_found")
    # glanceclient prints `HTTP <message>`: as from Glance, "HTTP 404 Not Found: …"
    assert message.startswith("404 Not Found: ")
    assert answer.json["error"]["title"] == "Not Found"


@pytest.mark.parametrize("method,path", [
    ("POST", "/v2/images"), ("PATCH", "/v2/images/{id}"), ("DELETE", "/v2/images/{id}"),
    ("PUT", "/v2/images/{id}/tags/t"), ("POST", "/v2/images/{id}/members")])
def test_changes_need_an_identity(api, method, path):
    image = create(api, OWNER)
    answer = api.request(path.format(id=image["id"]), method=method, body=b"{}",
                         headers=ANONYMOUS, status=401)
    assert error(answer)[:2] == (401, "auth.required")


def test_anonymous_callers_read_public_images(api):
    image = create(api, ADMIN, visibility="public")
    assert api.get(f"/v2/images/{image['id']}", headers=ANONYMOUS).json["id"] == image["id"]
    assert [i["id"] for i in api.get("/v2/images", headers=ANONYMOUS).json["images"]] == [
        image["id"]]


def test_a_path_that_is_not_utf8_is_400(api):
    image = create(api, OWNER)
    answer = api.put(f"/v2/images/{image['id']}/tags/%FF", headers=OWNER, status=400)
    assert "UTF-8" in error(answer)[2]


def test_every_image_answered_is_checked_against_the_schema(api):
    create(api, OWNER, name="checked")
    api.get("/v2/images", headers=OWNER)
    assert api.schema_check.checked == 2


def test_the_schema_check_fails_an_image_the_schema_refuses():
    def bad_app(environ, start_response):
        body = json.dumps({"id": "1", "schema": "/v2/schemas/image", "size": "big"}).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    with pytest.raises(Exception, match="size"):
        webtest.TestApp(SchemaCheck(bad_app)).get("/")


# -- bad input is a 4xx, never a 5xx ------------------------------------------------------

_paths = st.sampled_from(["/v2/images", "/v2/images/{id}", "/v2/images/{id}/members",
                          "/v2/images/{id}/members/{text}", "/v2/images/{id}/tags/{text}",
                          "/v2/images/{text}", "/v2/images/{id}/actions/{text}",
                          "/v2/schemas/{text}", "/v2/{text}"])
_bodies = st.one_of(
    st.binary(max_size=40),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                 | st.text(max_size=10),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=10), inner, max_size=3),
                 max_leaves=8).map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b'[{"op": "add", "path": "/a/b", "value": "x"}]',
                     b'[{"op": "replace", "path": "/status", "value": "active"}]',
                     b'[{"op": "move", "path": "/name"}]', b'{"member": ""}',
                     b'{"status": "maybe"}', b'[1e999]', b'{"a": NaN}', b'\xff\xfe']))
_query = st.lists(st.tuples(st.sampled_from(["limit", "marker", "sort", "sort_key",
                                             "sort_dir", "visibility", "tag", "size_min",
                                             "created_at", "os_hidden", "x:y", "member_status"]),
                            st.text(max_size=12)), max_size=3)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
       path=_paths, text=st.text(min_size=1, max_size=20).filter(lambda t: "/" not in t),
       body=_bodies, query=_query,
       content_type=st.sampled_from(["application/json", "application/octet-stream",
                                     "application/openstack-images-v2.1-json-patch",
                                     "application/openstack-images-v2.0-json-patch", ""]),
       caller=st.sampled_from([OWNER, OTHER, ADMIN]))
def test_bad_input_is_never_a_5xx(api, method, path, text, body, query, content_type, caller):
    if not hasattr(api, "image_id"):
        api.image_id = create(api, OWNER, visibility="shared")["id"]
    url = path.format(id=api.image_id, text=quote(text, safe="")) + "?" + urlencode(query)
    headers = {**caller, "Content-Type": content_type} if content_type else dict(caller)
    answer = api.request(url, method=method, body=body if method != "HEAD" else b"",
                         headers=headers, expect_errors=True)
    assert answer.status_int < 500, answer.text
