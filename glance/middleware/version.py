"""The `version` filter: version negotiation for the image API (CONTRACT §2).

- `/versions` (and anything under it) → 200 with the versions document.
- A first path segment that starts with `v` and names no API this server
  serves (`/v1.a/…`, `/va.1/…`, `/v9/…`, `/v1.2/…`, `/v2/…` while v2 is
  off) → 300 with the document.
- A served version segment (`/v1`, `/v1.0`, `/v1.1`, `/v2`, `/v2.0`…) passes
  unchanged: the root app dispatches on it.  Accept does not matter there.
- An unversioned path: `Accept: application/vnd.openstack.images-vN[.M][+json]`
  chooses the API: N=1 serves it as v1 (the path unchanged, so `uri` has
  no `/v1`), N=2 as v2 (the path gains `/v2`, as Glance rewrote it), any
  other N, or an API not served → 300.  Any other Accept: `GET /` → 300,
  every other path is served as v1 (founding docs; Glance answered 300).

Which APIs are served is the `enabled_apis` option, read once here and by
the root app.  The document itself is `glance.api.versions`'.
"""

import re

from glance.api import versions
from glance.common import config

# The images media type anywhere in Accept; its version token ends at
# `+`, `;`, `,` or white space.
_MEDIA_TYPE = re.compile(r"application/vnd\.openstack\.images-([^\s,;+]*)", re.I)
_VERSION_TOKEN = re.compile(r"v(\d+)(?:\.\d+)?\Z")
_MAJOR_API = {"1": versions.V1, "2": versions.V2}
UNKNOWN = "unknown"


def accepted_api(accept):
    """The API an Accept header asks for: `"v1"`, `"v2"`, UNKNOWN (the
    images media type with another or a malformed version), or None (no
    images media type at all)."""
    found = _MEDIA_TYPE.search(accept or "")
    if found is None:
        return None
    token = _VERSION_TOKEN.match(found.group(1).lower())
    if token is None:
        return UNKNOWN
    return _MAJOR_API.get(token.group(1).lstrip("0") or "0", UNKNOWN)


class VersionNegotiation:
    def __init__(self, app, served=(versions.V1,)):
        self.app = app
        self.served = tuple(served)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        segment = path.lstrip("/").split("/", 1)[0]
        if segment == "versions":
            return versions.respond(environ, start_response, self.served, status=200)
        if versions.api_of(segment, self.served):
            return self.app(environ, start_response)
        if segment.startswith("v"):
            return versions.respond(environ, start_response, self.served)
        api = accepted_api(environ.get("HTTP_ACCEPT"))
        if api == versions.V1:
            return self.app(environ, start_response)
        if api == versions.V2 and api in self.served:
            environ["PATH_INFO"] = "/v2" + path
            return self.app(environ, start_response)
        if api is not None or path == "/":
            return versions.respond(environ, start_response, self.served)
        return self.app(environ, start_response)


def filter_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)

    def make_filter(app):
        return VersionNegotiation(app, conf.enabled_apis)
    return make_filter
