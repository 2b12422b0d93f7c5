"""Bad input gets a clear 4xx with a JSON body, never a 500 or a traceback."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st


@pytest.mark.parametrize("path", ["/nope", "/images/1/extra", "/v1/nope"])
def test_unknown_routes_are_404_json(app, path):
    res = app.get(path, status=404)
    assert list(res.json) == ["error"]
    assert res.json["error"]["code"] == 404 and res.json["error"]["title"] == "Not Found"
    assert res.json["error"]["type"] == "image.not_found" and res.json["error"]["message"]


def test_wrong_method_is_405_with_allow(app):
    res = app.request("/images", method="PATCH", status=405)
    assert "GET" in res.headers["Allow"]


def test_malformed_boolean_header_is_400(app):
    res = app.post("/images", headers={"x-image-meta-is_public": "perhaps"}, status=400)
    assert "is_public" in res.json["error"]["message"]


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_non_numeric_content_length_is_400(app, method):
    import io
    import json
    from wsgiref.util import setup_testing_defaults
    image = app.post("/images").json["image"]
    # Called directly: WebOb itself would choke on such a Content-Length.
    environ = {"REQUEST_METHOD": method, "CONTENT_LENGTH": "12a",
               "PATH_INFO": "/images" if method == "POST" else f"/images/{image['id']}",
               "CONTENT_TYPE": "application/octet-stream", "wsgi.input": io.BytesIO(b"x")}
    setup_testing_defaults(environ)
    answer = []
    body = b"".join(app.app(environ, lambda status, headers, exc_info=None: answer.append(status)))
    assert answer[0].startswith("400")
    assert "Content-Length" in json.loads(body)["error"]["message"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]),
       path=st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=30),
       name=st.text(max_size=20), value=st.text(max_size=40))
def test_random_requests_never_give_5xx(app, method, path, name, value):
    from urllib.parse import quote
    headers = {}
    header_name = "x-image-meta-" + "".join(c for c in name if c.isascii() and c.isalnum())
    try:
        header_value = value.encode("utf-8").decode("latin-1")
        if "\n" in header_value or "\r" in header_value:
            raise ValueError
        headers[header_name] = header_value
    except ValueError:
        pass
    res = app.app  # the raw pipeline, no lint on purpose: input is hostile
    import webtest
    response = webtest.TestApp(res).request("/images/" + quote(path, safe="/"), method=method,
                                            headers=headers, expect_errors=True)
    assert response.status_int < 500, response.body[:300]
    assert b"Traceback" not in response.body
