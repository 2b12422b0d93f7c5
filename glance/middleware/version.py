"""The `version` filter: version negotiation for the image API (CONTRACT §2, §8).

`/v1/...` is served like the unversioned path, with `/v1` moved into
SCRIPT_NAME so the app builds URIs that keep it.  `GET /`, `GET /versions`
and requests for unknown versions (`/v2/...`, or an `Accept` media type
naming another version) answer 300 with the versions document.
"""

import re

from glance.common import wsgi

VERSION_MEDIA_TYPE = re.compile(r"application/vnd\.openstack\.images-(v[\d.]+)\+json")
VERSION_PREFIX = re.compile(r"/(v\d+(?:\.\d+)?)(?=/|$)")
SUPPORTED = ("v1", "v1.0", "v1.1")


def versions_document(environ):
    base = wsgi.request_base_url(environ) + environ.get("SCRIPT_NAME", "")
    return {"versions": [{
        "id": "v1.0",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": f"{base}/v1/"}],
    }]}


class VersionNegotiation:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        if path in ("/", "/versions", "/versions/"):
            return self._versions(environ, start_response)
        match = VERSION_PREFIX.match(path)
        if match:
            if match.group(1) not in SUPPORTED:
                return self._versions(environ, start_response)
            rest = path[match.end():]
            if rest in ("", "/"):
                return self._versions(environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/v1"
            environ["PATH_INFO"] = rest
        else:
            accepted = VERSION_MEDIA_TYPE.search(environ.get("HTTP_ACCEPT", ""))
            if accepted and accepted.group(1) not in SUPPORTED:
                return self._versions(environ, start_response)
        return self.app(environ, start_response)

    def _versions(self, environ, start_response):
        return wsgi.json_response(start_response, 300, versions_document(environ),
                                  head=environ.get("REQUEST_METHOD") == "HEAD")


def filter_factory(global_conf, **local_conf):
    def make_filter(app):
        return VersionNegotiation(app)
    return make_filter
