"""Safe defaults: who may publicize, and the size limits on metadata."""

import http.client
import json

import pytest


def test_only_admins_may_make_an_image_public_by_default(token_deployment):
    dep = token_deployment
    res = dep.request("owner", "POST", "/images", headers={"x-image-meta-is_public": "true"})
    assert res.status_int == 403
    assert "admin" in res.json["error"]["message"]
    res = dep.request("admin", "POST", "/images", headers={"x-image-meta-is_public": "true"})
    assert res.status_int == 201


def test_owner_may_not_publicize_later_either(token_deployment):
    dep = token_deployment
    image = dep.request("owner", "POST", "/images").json["image"]
    res = dep.request("owner", "PUT", f"/images/{image['id']}",
                      headers={"x-image-meta-is_public": "true"})
    assert res.status_int == 403
    assert dep.request("owner", "HEAD", f"/images/{image['id']}").headers[
        "x-image-meta-is_public"] == "False"


def test_is_public_none_shows_only_admins_every_image(token_deployment):
    """CONTRACT §2: `is_public=none` gives others their ordinary list (no 403, as Glance)."""
    dep = token_deployment
    dep.request("admin", "POST", "/images", headers={"x-image-meta-name": "admins-own"})
    others = dep.request("owner", "GET", "/images", params={"is_public": "none"})
    assert others.status_int == 200
    assert "admins-own" not in [i["name"] for i in others.json["images"]]
    everything = dep.request("admin", "GET", "/images", params={"is_public": "none"})
    assert "admins-own" in [i["name"] for i in everything.json["images"]]


def test_more_than_128_properties_is_413(app):
    headers = {f"x-image-meta-property-p{i}": "v" for i in range(129)}
    res = app.post("/images", headers=headers, status=413)
    assert "Attempted: 129, Maximum: 128" in res.json["error"]["message"]


def test_128_properties_are_fine(app):
    headers = {f"x-image-meta-property-p{i}": "v" for i in range(128)}
    app.post("/images", headers=headers, status=201)


def test_properties_added_one_by_one_stop_at_128(app):
    image = app.post("/images", headers={f"x-image-meta-property-p{i}": "v"
                                         for i in range(100)}, status=201).json["image"]
    res = app.put(f"/images/{image['id']}", headers={
        "x-glance-registry-purge-props": "false",       # merged, not replaced
        **{f"x-image-meta-property-q{i}": "v" for i in range(29)}}, status=413)
    assert "Maximum: 128" in res.json["error"]["message"]
    assert len(app.get(f"/images/detail?is_public=none").json["images"][0]["properties"]) == 100


def test_properties_over_64k_are_413_at_the_registry(tmp_path):
    from glance.common.context import admin_context
    from glance.common.exception import QuotaExceeded
    from glance.registry.db import Database
    from glance.registry.service import ImageRegistry
    registry = ImageRegistry(Database(f"sqlite:///{tmp_path}/r.sqlite"))
    with pytest.raises(QuotaExceeded, match="total size"):
        registry.create_image(admin_context(), {"properties": {"k": "x" * (64 * 1024)}})
    registry.create_image(admin_context(), {"properties": {"k": "x" * (64 * 1024 - 1)}})


def test_header_block_over_16k_is_431(services):
    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=10)
    connection.request("POST", "/images", headers={"x-image-meta-property-big": "x" * 17000})
    response = connection.getresponse()
    assert response.status == 431
    assert json.loads(response.read())["error"]["type"] == "request.headers_too_large"
