"""The headers filter decodes requests and encodes responses."""

import webtest

from glance.middleware.headers import REQUEST_META, RESPONSE_META, ImageMetaHeaders


def mirror(environ, start_response):
    """Sends back the decoded request metadata as response metadata."""
    environ[RESPONSE_META] = environ[REQUEST_META]
    start_response("200 OK", [("Content-Length", "0")])
    return []


def test_request_headers_reach_the_app_decoded_and_come_back_encoded():
    res = webtest.TestApp(ImageMetaHeaders(mirror)).get("/", headers={
        "X-Image-Meta-Name": "n", "X-Image-Meta-Is-Public": "true",
        "X-Image-Meta-Property-Arch": "x86_64"})
    assert res.headers["x-image-meta-name"] == "n"
    assert res.headers["x-image-meta-is_public"] == "True"
    assert res.headers["x-image-meta-property-arch"] == "x86_64"


def test_malformed_header_is_answered_400_with_json():
    res = webtest.TestApp(ImageMetaHeaders(mirror)).get(
        "/", headers={"X-Image-Meta-Size": "-3"}, status=400)
    assert res.json["code"] == "image.invalid"
    assert "size" in res.json["message"]
