"""Images API v2 in the README's layout, with shared reads: the v2 show and
list routes read images through the same `SharedReadsClient` as v1
(`glance/registry/shared.py`), so they must answer exactly as over HTTP —
visibility, community, members (pending, accepted), tags, hidden images —
and two API nodes on one registry must read each other's writes at once.

Each API is the `main` pipeline (trusted-proxy callers, conftest.load) with
`registry_url` naming a registry server on a loopback port, on the very
sqlite file the API's `sql_connection` names: one API reads that file
itself, the other (`registry_shared_reads = false`) reads over HTTP.
"""

import pytest

from glance.registry import RegistryClient, db, server, service
from tests.api.v2.conftest import ADMIN, ANONYMOUS, OTHER, OWNER, create, load, v2_of
from tests.registry.test_client import serving, trusting

TOKEN = "s3cret"
CALLERS = {"owner": OWNER, "other": OTHER, "admin": ADMIN, "anonymous": ANONYMOUS}
QUERIES = ("", "visibility=public", "visibility=private", "visibility=shared",
           "visibility=community", "visibility=all", "member_status=pending",
           "member_status=all", "visibility=shared&member_status=all", "tag=red",
           "tag=red&tag=blue", "os_hidden=true", "owner=tenant-b", "limit=2",
           "sort_key=name&sort_dir=asc", "name=a-shared")


@pytest.fixture
def registry(tmp_path):
    """(URL, requests seen) of a registry server on the API's database file."""
    seen = []
    registry = service.ImageRegistry(db.Database(f"sqlite:///{tmp_path}/glance.sqlite"))
    with serving(trusting(server.RegistryApp(registry), seen)) as url:
        yield url, seen
    registry.close()


@pytest.fixture
def api_node(tmp_path, monkeypatch, registry):
    """api_node(shared_reads) → a v2 API on the registry over HTTP."""
    url = registry[0]

    def make(shared_reads=True):
        return load(tmp_path, monkeypatch, "trusted-proxy", registry_url=url,
                    service_token=TOKEN, registry_shared_reads=str(shared_reads).lower())
    return make


def reads_over_http(seen):
    return [e["PATH_INFO"] for e in seen
            if e["REQUEST_METHOD"] == "GET" and e["PATH_INFO"].startswith("/images")]


def names(document):
    return sorted(image["name"] for image in document["images"])


def members_url(image_id, member=None):
    return f"/v2/images/{image_id}/members" + (f"/{member}" if member else "")


def mixed(api):
    """tenant-a's and tenant-b's images in every visibility, tags, a hidden
    one, and tenant-a a member of two of tenant-b's shared images (one
    accepted, one pending); {name: id}."""
    ids = {}
    for caller, tenant in ((OWNER, "a"), (OTHER, "b")):
        for visibility in ("private", "shared", "community"):
            ids[f"{tenant}-{visibility}"] = create(
                api, caller, name=f"{tenant}-{visibility}", visibility=visibility,
                tags=["red"] if visibility == "community" else [])["id"]
    ids["admin-public"] = create(api, ADMIN, name="admin-public", visibility="public",
                                 tags=["red", "blue"])["id"]
    ids["a-hidden"] = create(api, OWNER, name="a-hidden", os_hidden=True)["id"]
    for name, status in (("b-accepted", "accepted"), ("b-pending", None)):
        ids[name] = create(api, OTHER, name=name)["id"]
        api.post_json(members_url(ids[name]), {"member": "tenant-a"}, headers=OTHER)
        if status:
            api.put_json(members_url(ids[name], "tenant-a"), {"status": status},
                         headers=OWNER)
    return ids


def test_v2_reads_from_the_shared_database_answer_as_over_http(api_node, registry):
    shared, remote = api_node(True), api_node(False)
    ids = mixed(shared)
    seen = registry[1]
    del seen[:]
    for caller in CALLERS.values():
        for query in QUERIES:
            path = "/v2/images" + (f"?{query}" if query else "")
            assert shared.get(path, headers=caller).json == \
                remote.get(path, headers=caller).json, (caller, query)
        for image_id in ids.values():
            for path in (f"/v2/images/{image_id}", members_url(image_id),
                         members_url(image_id, "tenant-a")):
                mine = shared.get(path, headers=caller, expect_errors=True)
                theirs = remote.get(path, headers=caller, expect_errors=True)
                assert (mine.status_int, mine.body) == (theirs.status_int, theirs.body), \
                    (caller, path)
    # Only the API reading over HTTP asked the registry for images.
    assert v2_of(shared).services.registry.reads_locally
    assert type(v2_of(remote).services.registry) is RegistryClient
    assert reads_over_http(seen) and all(
        e.get("HTTP_X_SERVICE_TOKEN") == TOKEN for e in seen)
    del seen[:]
    shared.get("/v2/images", headers=OWNER)
    shared.get(f"/v2/images/{ids['b-pending']}", headers=OWNER)
    assert reads_over_http(seen) == []


def test_v2_visibility_members_and_tags_through_shared_reads(api_node):
    api = api_node(True)
    ids = mixed(api)
    assert v2_of(api).services.registry.reads_locally

    def listed(query="", caller=OWNER):
        return names(api.get("/v2/images" + (f"?{query}" if query else ""), headers=caller).json)

    assert listed() == ["a-community", "a-private", "a-shared", "admin-public", "b-accepted"]
    assert listed("member_status=pending") == [
        "a-community", "a-private", "a-shared", "admin-public", "b-pending"]
    assert listed("visibility=community") == ["a-community", "b-community"]
    assert listed("tag=red") == ["a-community", "admin-public"]
    assert listed("tag=red&tag=blue") == ["admin-public"]
    assert listed("os_hidden=true") == ["a-hidden"]
    assert listed(caller=ANONYMOUS) == ["admin-public"]
    assert len(api.get("/v2/images", headers=ADMIN).json["images"]) == 9    # not a-hidden
    # A member sees a shared image whatever its status; a stranger does not.
    api.get(f"/v2/images/{ids['b-pending']}", headers=OWNER, status=200)
    api.get(f"/v2/images/{ids['b-private']}", headers=OWNER, status=404)
    api.get(f"/v2/images/{ids['b-community']}", headers=OWNER, status=200)
    api.get(f"/v2/images/{ids['a-private']}", headers=OTHER, status=404)
    api.get(f"/v2/images/{ids['a-private']}", headers=ANONYMOUS, status=404)
    # The API reads location to serve data, and never shows it.
    assert "locations" not in api.get(f"/v2/images/{ids['a-private']}", headers=OWNER).json


def test_two_v2_api_nodes_read_each_others_writes_at_once(api_node):
    first, second = api_node(True), api_node(True)
    image = create(first, OWNER, name="one", visibility="shared")
    url = f"/v2/images/{image['id']}"
    assert second.get(url, headers=OWNER).json["name"] == "one"
    second.patch_json(url, [{"op": "replace", "path": "/name", "value": "two"}],
                      headers={**OWNER, "Content-Type":
                               "application/openstack-images-v2.1-json-patch"})
    assert first.get(url, headers=OWNER).json["name"] == "two"
    first.put(f"{url}/tags/green", headers=OWNER, status=204)
    assert names(second.get("/v2/images?tag=green", headers=OWNER).json) == ["two"]
    second.delete(f"{url}/tags/green", headers=OWNER, status=204)
    assert first.get("/v2/images?tag=green", headers=OWNER).json["images"] == []
    # Membership: added on one node, answered on the other, listed on the first.
    first.post_json(members_url(image["id"]), {"member": "tenant-b"}, headers=OWNER)
    assert second.get("/v2/images", headers=OTHER).json["images"] == []
    second.put_json(members_url(image["id"], "tenant-b"), {"status": "accepted"},
                    headers=OTHER)
    assert names(first.get("/v2/images", headers=OTHER).json) == ["two"]
    # Data: uploaded through one node, served by the other.
    first.put(f"{url}/file", b"x" * 4096, headers={
        **OWNER, "Content-Type": "application/octet-stream"}, status=204)
    assert second.get(f"{url}/file", headers=OTHER).body == b"x" * 4096
    assert first.get(url, headers=OTHER).json["status"] == "active"
    second.delete(url, headers=OWNER, status=204)
    first.get(url, headers=OWNER, status=404)
    assert first.get("/v2/images", headers=OWNER).json["images"] == []
    for node in (first, second):
        assert v2_of(node).services.registry.reads_locally
