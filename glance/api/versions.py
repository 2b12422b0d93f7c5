"""The image API's versions: which path segments name which API, and the
versions document (CONTRACT §2).

The document is exactly the one Glance Queens served, newest first: with
v2 enabled, v2.6 CURRENT and v2.5 … v2.0 SUPPORTED, then v1.1 and v1.0
DEPRECATED (v1 stays fully served; Glance labelled it so and its tests
compare the document whole); while only v1 is served, the two v1 entries.
Every entry links to `<base>/v2/` or `<base>/v1/`.  The `version` filter
answers with it (`GET /versions` 200, `GET /` and unknown versions 300) and
so does the root app for a version it does not serve.
"""

from glance.common import wsgi

V1 = "v1"
V2 = "v2"
APIS = (V1, V2)

# The first path segments that name an API, as Glance accepted them.
SEGMENTS = {"v1": V1, "v1.0": V1, "v1.1": V1,
            **{name: V2 for name in ("v2", *(f"v2.{minor}" for minor in range(7)))}}

# (id, status) of each API's entries, newest first.
_ENTRIES = {
    V2: (("v2.6", "CURRENT"), *((f"v2.{minor}", "SUPPORTED") for minor in range(5, -1, -1))),
    V1: (("v1.1", "DEPRECATED"), ("v1.0", "DEPRECATED")),
}


def api_of(segment, served):
    """The API (`"v1"`, `"v2"`) that a first path segment names among the
    `served` ones, or None."""
    api = SEGMENTS.get(segment)
    return api if api in served else None


def document(base_url, served):
    """`{"versions": [...]}` for a server offering the APIs in `served`;
    `base_url` is `scheme://host[:port]` (plus any mount prefix)."""
    return {"versions": [
        {"id": version, "status": status,
         "links": [{"rel": "self", "href": f"{base_url}/{api}/"}]}
        for api in (V2, V1) if api in served
        for version, status in _ENTRIES[api]]}


def respond(environ, start_response, served, status=300):
    """Answer with the versions document: 300 Multiple Choices (the default)
    or 200 for an explicit `GET /versions`."""
    base = wsgi.request_base_url(environ) + environ.get("SCRIPT_NAME", "")
    return wsgi.json_response(start_response, status, document(base, served),
                              head=environ.get("REQUEST_METHOD") == "HEAD")
