"""One HTTP exchange with the target, the way the upstream tests made them.

Glance's tests used a fresh `httplib2.Http()` per request and read the
status, the headers (names lower-cased) and the whole body.  `request` does
the same with `http.client`: a new connection each time, no redirects
followed, no status raised, nothing added but what `http.client` itself adds
(`Host`, `Accept-Encoding: identity`, `Content-Length` for a body or for a
POST/PUT without one).
"""

import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT = 60


@dataclass
class Response:
    status: int
    headers: dict  # lower-cased names; repeated headers joined with ", "
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __getitem__(self, name):
        """Like httplib2's response: `response['x-image-meta-name']`."""
        return self.headers[name.lower()]

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def describe(self):
        """A short account for assertion messages."""
        return f"{self.status} {self.headers} {self.body[:500]!r}"


def request(base_url, method, path, headers=None, body=None):
    """Send `method path` to `base_url` (scheme://host:port) on a new connection."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        answer = connection.getresponse()
        content = answer.read()
        names = {}
        for name, value in answer.getheaders():
            key = name.lower()
            names[key] = f"{names[key]}, {value}" if key in names else value
        return Response(answer.status, names, content)
    finally:
        connection.close()
