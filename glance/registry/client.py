"""`RegistryClient`: the registry's methods over HTTP.

The API server uses it when `registry_url` is set.  It keeps one
keep-alive connection per thread (`glance.common.httpclient`, shared with
the Python client), forwards the caller's context as
`X-Tenant-Id`/`X-User-Id`/`X-Roles` headers with the service token that
makes the registry believe them, and turns the registry's error answers
back into the domain errors `ImageRegistry` raises (the interface:
`glance/registry/__init__.py`).  When the registry cannot be reached or
answers nonsense, the error says only that (`RegistryUnavailable`, 503 at
the API): the registry's address — which may carry credentials — and the
details go to the log, without the credentials.
"""

import http.client
import json
import logging
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from glance.common import exception, faults, httpclient, imagemeta
from glance.httpd import prefork
from glance.registry import query as query_module

LOG = logging.getLogger(__name__)
MAX_ERROR_TEXT = 200
UNAVAILABLE = "the registry is unavailable"


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
        # The URL as logs may show it: without user and password.
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self.shown_url = urlunsplit(parts._replace(netloc=host + (f":{port}" if port else "")))
        self.timeout = timeout
        self.service_token = service_token or None
        self._base_path = parts.path.rstrip("/")
        cls = httpclient.connection_class(parts.scheme == "https")
        self._pool = httpclient.Pool(connection_factory or (
            lambda: cls(parts.hostname, port, timeout=timeout)))
        prefork.close_before_fork(self)

    # -- the registry interface (see glance/registry/__init__.py) ------------

    def list_images(self, context, query, detailed=True):
        path = ("/images/detail" if detailed else "/images") + "?" + urlencode(
            query_module.to_params(query))
        return self._call("GET", path, context, "images", list)

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

    def list_members(self, context, image_id):
        return self._call("GET", _image_path(image_id, "members"), context, "members", list)

    def get_member(self, context, image_id, member):
        return self._call("GET", _image_path(image_id, "members", member), context,
                          "member", dict)

    def add_member(self, context, image_id, member, can_share=False):
        return self._call("POST", _image_path(image_id, "members"), context, "member", dict,
                          body={"member": {"member_id": member, "can_share": can_share}})

    def set_member(self, context, image_id, member, can_share=None, status=None):
        body = {key: value for key, value in (("can_share", can_share), ("status", status))
                if value is not None}
        return self._call("PUT", _image_path(image_id, "members", member), context,
                          "member", dict, body={"member": body})

    def replace_members(self, context, image_id, memberships):
        return self._call("PUT", _image_path(image_id, "members"), context, "members", list,
                          body={"memberships": memberships})

    def delete_member(self, context, image_id, member):
        self._call("DELETE", _image_path(image_id, "members", member), context, None, None)

    def shared_images(self, context, member):
        return self._call("GET", "/shared-images/" + _segment(member), context,
                          "shared_images", list)

    def add_tag(self, context, image_id, tag):
        return self._call("PUT", _image_path(image_id, "tags", tag), context, "image", dict)

    def delete_tag(self, context, image_id, tag):
        return self._call("DELETE", _image_path(image_id, "tags", tag), context, "image", dict)

    def take_lease(self, context, image_id, holder, seconds, from_status="queued",
                   to_status="saving", fallback="killed"):
        lease = {"holder": holder.as_json(), "seconds": seconds, "from_status": from_status,
                 "to_status": to_status, "fallback": fallback}
        return self._call("POST", _image_path(image_id, "lease"), context, "image", dict,
                          body={"lease": lease})

    def renew_leases(self, context, holder, seconds):
        return self._call("POST", "/leases/renew", context, "images", list,
                          body={"lease": {"holder": holder.as_json(), "seconds": seconds}})

    def end_lease(self, context, image_id, holder, values):
        return self._call("POST", _image_path(image_id, "lease", "end"), context, "image",
                          dict, body={"lease": {"holder": holder.as_json()}, "image": values})

    def expire_leases(self, context, reason, node=None, instance=None, pid=None,
                      except_instance=None):
        expire = {"reason": reason, "node": node, "instance": instance, "pid": pid,
                  "except_instance": except_instance}
        return self._call("POST", "/leases/expire", context, "images", list,
                          body={"expire": expire})

    def database(self, context):
        """{"identity", "schema_version"} of the registry's database (see
        `identity.py`); NotFound from a registry that does not say."""
        return self._call("GET", "/database", context, "database", dict)

    def close_connections(self):
        """Before a fork (prefork.py): http.client reopens a closed connection."""
        self.close()

    def close(self):
        """Close the kept-alive connections of every thread."""
        self._pool.close()

    # -- transport ---------------------------------------------------------

    def _call(self, method, path, context, key, kind, body=None, headers=None):
        """The answer's `key` member (of type `kind`); None when `key` is
        None (an answer without a body)."""
        request_headers = _context_headers(context, self.service_token)
        request_headers.update(headers or {})
        data = None
        if body is not None:
            try:
                data = json.dumps(body, allow_nan=False).encode()
            except (TypeError, ValueError) as exc:
                raise exception.Invalid(f"the request cannot be sent as JSON: {exc}") from None
            request_headers["Content-Type"] = "application/json"
        status, payload = self._send(method, self._base_path + path, data, request_headers)
        if status >= 400 or status < 200:
            raise self._error(method, path, status, payload)
        if key is None:
            return None
        try:
            document = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            document = None
        if not isinstance(document, dict) or not isinstance(document.get(key), kind):
            LOG.error("registry at %s answered %s %s with garbage: %r", self.shown_url,
                      method, path, _snippet(payload))
            raise exception.RegistryUnavailable(UNAVAILABLE)
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
        LOG.error("registry at %s unreachable: %s", self.shown_url,
                  str(exc) or type(exc).__name__)
        return exception.RegistryUnavailable(UNAVAILABLE)

    def _error(self, method, path, status, payload):
        """The domain error of a registry error answer, with its message; any
        status no client-side error stands for means the registry is unusable."""
        exc = faults.error_from(status, payload)
        if isinstance(exc, exception.RegistryUnavailable) or status >= 500:
            LOG.error("registry at %s answered %s %s with %d: %s", self.shown_url, method,
                      path, status, exc.message)
            return exception.RegistryUnavailable(UNAVAILABLE, image_id=exc.image_id)
        return exc


def _segment(text):
    return quote(str(text), safe="")


def _image_path(image_id, *parts):
    return "/".join(["/images", _segment(image_id), *map(_segment, parts)])


def _context_headers(context, service_token=None):
    """The caller's identity, and the token that makes the registry believe
    it.  The caller's own token stays here: the registry believes only ours."""
    headers = {}
    if service_token:
        headers["X-Service-Token"] = _header_value("X-Service-Token", service_token)
    for name, value in (("X-Tenant-Id", context.tenant), ("X-User-Id", context.user)):
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



