"""`RegistryClient`: the registry's five methods over HTTP.

The API server uses it when `registry_url` is set.  It keeps one
keep-alive connection per thread (`glance.common.httpclient`, shared with
the Python client), forwards the caller's context as
`X-Tenant-Id`/`X-User-Id`/`X-Roles`/`X-Auth-Token` headers and turns the
registry's error answers back into the domain errors `ImageRegistry` raises.
"""

import http.client
import json
from urllib.parse import quote, urlencode, urlsplit

from glance.common import exception, faults, httpclient, imagemeta
from glance.httpd import prefork

MAX_ERROR_TEXT = 200


class RegistryClient:
    """Talks to a registry server at `url` (http or https, optional base path).

    `connection_factory()` (default: an http.client connection to the URL's
    host) is the test seam for the transport.
    """

    def __init__(self, url, timeout=30.0, connection_factory=None, service_token=None):
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise exception.ConfigError(f"registry_url must be an http(s) URL, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.service_token = service_token or None
        self._base_path = parts.path.rstrip("/")
        cls = httpclient.connection_class(parts.scheme == "https")
        self._pool = httpclient.Pool(connection_factory or (
            lambda: cls(parts.hostname, port, timeout=timeout)))
        prefork.close_before_fork(self)

    # -- the registry interface -------------------------------------------

    def list_images(self, context, params, detailed):
        query = urlencode([(str(key), str(value)) for key, value in (params or {}).items()])
        path = "/images/detail" if detailed else "/images"
        return self._call("GET", path + (f"?{query}" if query else ""), context, "images", list)

    def get_image(self, context, image_id):
        return self._call("GET", _image_path(image_id), context, "image", dict)

    def create_image(self, context, values):
        return self._call("POST", "/images", context, "image", dict, body={"image": values})

    def update_image(self, context, image_id, values, purge_props=False,
                     expected_status=None):
        headers = {imagemeta.PURGE_PROPS_HEADER: "true"} if purge_props else {}
        if expected_status is not None:
            headers["x-glance-registry-expected-status"] = expected_status
        return self._call("PUT", _image_path(image_id), context, "image", dict,
                          body={"image": values}, headers=headers)

    def delete_image(self, context, image_id):
        return self._call("DELETE", _image_path(image_id), context, "image", dict)

    def close_connections(self):
        """Before a fork (prefork.py): http.client reopens a closed connection."""
        self.close()

    def close(self):
        """Close the kept-alive connections of every thread."""
        self._pool.close()

    # -- transport ---------------------------------------------------------

    def _call(self, method, path, context, key, kind, body=None, headers=None):
        request_headers = _context_headers(context, self.service_token)
        request_headers.update(headers or {})
        data = None
        if body is not None:
            try:
                data = json.dumps(body, allow_nan=False).encode()
            except (TypeError, ValueError) as exc:
                raise exception.Invalid(f"the image cannot be sent as JSON: {exc}") from None
            request_headers["Content-Type"] = "application/json"
        status, payload = self._send(method, self._base_path + path, data, request_headers)
        if status >= 400 or status < 200:
            raise _error(self.url, status, payload)
        try:
            document = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            document = None
        if not isinstance(document, dict) or not isinstance(document.get(key), kind):
            raise exception.RegistryUnavailable(
                f"registry at {self.url} answered {method} {path} with garbage: "
                f"{_snippet(payload)!r}")
        return document[key]

    def _send(self, method, path, data, headers):
        """(status, body bytes), by the shared retry rule (a reused connection
        the registry closed while idle is replaced and the request sent once
        more; a POST only when sending failed)."""
        try:
            response, conn = httpclient.exchange(self._pool, method, path, data, headers)
        except (OSError, http.client.HTTPException) as exc:
            raise self._unavailable(exc) from None
        except ValueError as exc:
            # http.client refuses header values it cannot send.
            raise exception.Invalid(f"cannot send the request to the registry: {exc}") \
                from None
        try:
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self._unavailable(exc) from None
        self._pool.release(conn, response)
        return response.status, payload

    def _unavailable(self, exc):
        reason = str(exc) or type(exc).__name__
        return exception.RegistryUnavailable(f"registry at {self.url} unreachable: {reason}")


def _image_path(image_id):
    return "/images/" + quote(str(image_id), safe="")


def _context_headers(context, service_token=None):
    """The caller's identity, and the token that makes the registry believe it."""
    headers = {}
    if service_token:
        headers["X-Service-Token"] = _header_value("X-Service-Token", service_token)
    for name, value in (("X-Tenant-Id", context.tenant), ("X-User-Id", context.user),
                        ("X-Auth-Token", context.auth_tok)):
        if value is not None:
            headers[name] = _header_value(name, value)
    roles = [str(role) for role in context.roles]
    if context.is_admin and "admin" not in (role.lower() for role in roles):
        roles.append("admin")
    if roles:
        headers["X-Roles"] = _header_value("X-Roles", ",".join(roles))
    return headers


def _header_value(name, value):
    text = str(value)
    if any(char in text for char in "\r\n\0"):
        raise exception.Invalid(f"{name} cannot carry {text!r}")
    return text.encode("utf-8")


def _snippet(payload):
    text = payload.decode("utf-8", "replace").strip()
    return text if len(text) <= MAX_ERROR_TEXT else text[:MAX_ERROR_TEXT] + "..."


def _error(url, status, payload):
    """The domain error of a registry error answer, with its message; any
    status no client-side error stands for means the registry is unusable."""
    exc = faults.error_from(status, payload)
    if isinstance(exc, exception.RegistryUnavailable):
        return exception.RegistryUnavailable(
            f"registry at {url} answered {status}: {exc.message}", image_id=exc.image_id)
    return exc
