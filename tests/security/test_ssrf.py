"""Locations into the server's own network are refused, redirects included."""

import pytest

from tests.fixtureapps.origin import Origin, pattern


def register(dep, caller, location, size="10"):
    headers = {"x-image-meta-location": location}
    if size is not None:
        headers["x-image-meta-size"] = size
    return dep.request(caller, "POST", "/images", headers=headers)


@pytest.mark.parametrize("location", [
    "http://127.0.0.1:9191/images", "http://[::1]/x", "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/x", "http://localhost/x", "http://[::ffff:127.0.0.1]/x",
    "http://[::127.0.0.1]/x", "http://[64:ff9b::7f00:1]/x", "http://[2002:7f00:1::]/x",
])
@pytest.mark.parametrize("caller", ["owner", "admin"])
def test_internal_locations_are_refused(token_deployment, location, caller):
    res = register(token_deployment, caller, location)
    assert res.status_int == 400
    assert "not an allowed address" in res.json["error"]["message"]
    assert "127.0.0.1" not in res.json["error"]["message"] and "localhost" not in res.json["error"]["message"]


@pytest.mark.parametrize("location", ["http://127.1/x", "http://2130706433/x",
                                      "http://0x7f.1/x", "http://0177.0.0.1/x"])
def test_unusual_spellings_of_an_address_are_refused(token_deployment, location):
    res = register(token_deployment, "owner", location)
    assert res.status_int == 400
    assert "unusual spelling" in res.json["error"]["message"]


@pytest.mark.parametrize("location", ["file:///etc/passwd", "file:///var/lib/glance/images/1",
                                      "swift://c/o", "ftp://example.com/x"])
def test_non_http_locations_are_refused(token_deployment, location):
    res = register(token_deployment, "admin", location)
    assert res.status_int == 400


def test_no_record_is_left_by_a_refused_location(token_deployment):
    register(token_deployment, "owner", "http://127.0.0.1/x")
    res = token_deployment.request("admin", "GET", "/images/detail", params={"is_public": "none"})
    assert res.json["images"] == []


def test_operator_allowed_network_is_accepted(tmp_path, monkeypatch):
    from glance.common import tokens
    from tests.security.conftest import IDENTITIES, Deployment, load
    with Origin(host="127.0.0.2") as origin:
        app = load(tmp_path, monkeypatch, "token", allowed_location_networks="127.0.0.2/32")
        path = str(tmp_path / "tokens.json")
        dep = Deployment(app, "token", {"owner": tokens.create_token(path, *IDENTITIES["owner"])})
        res = register(dep, "owner", origin.url("/bytes/100"), size=None)
        assert res.status_int == 201, res.body
        image_id = res.json["image"]["id"]
        assert dep.request("owner", "GET", f"/images/{image_id}").body == pattern(100)
        # A redirect from the allowed origin into loopback (127.0.0.1) is not followed.
        target = "http://127.0.0.1:1/secret"
        res = register(dep, "owner", origin.url("/to?url=" + target), size="5")
        assert res.status_int == 201
        refused = dep.request("owner", "GET", f"/images/{res.json['image']['id']}")
        assert refused.status_int in (403, 502)
        assert b"secret" not in refused.body or b"not an allowed address" in refused.body


def test_registering_with_size_discovery_does_not_follow_redirect_into_loopback(
        tmp_path, monkeypatch):
    from glance.common import tokens
    from tests.security.conftest import IDENTITIES, Deployment, load
    with Origin(host="127.0.0.2") as origin, Origin() as internal:
        app = load(tmp_path, monkeypatch, "token", allowed_location_networks="127.0.0.2/32")
        path = str(tmp_path / "tokens.json")
        dep = Deployment(app, "token", {"owner": tokens.create_token(path, *IDENTITIES["owner"])})
        res = register(dep, "owner", origin.url("/to?url=" + internal.url("/bytes/7")), size=None)
        assert res.status_int == 400
        assert internal.requests == []
