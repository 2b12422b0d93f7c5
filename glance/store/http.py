"""The read-only `http`/`https` store: image data stays at its URL and is streamed through.

An origin is chosen by whoever registered the location, so every fetch is
bounded against one that is hostile or slow:

- each hop (up to `MAX_REDIRECTS` redirects, to http/https only) resolves
  its host with a bounded look-up, checks every address against the
  location policy and connects to exactly those addresses (TLS still
  verifies the name);
- from the start of a fetch, the origin has `http_store_first_byte_timeout`
  seconds for everything up to the end of the response head (look-ups,
  connecting, redirects, a head trickled byte by byte); each later read of
  the body has `http_store_read_timeout`;
- a fetch holds a permit of its image owner's and of the origin it is
  talking to (`limits.py`): past either cap it is refused with OriginBusy.

Credentials in a URL (`http://user:pass@host/x`) travel as an Authorization
header.  Errors say "the image's origin is unavailable" with the image id;
the origin, its answer and the cause go to the error's `detail` (the log),
never to the client.
"""

import base64
import http.client
import re
import socket
import ssl
import time
import weakref
from urllib.parse import unquote, urljoin, urlsplit

from glance import __version__
from glance.common import exception
from glance.common.netpolicy import DEFAULT_PORTS, LocationPolicy, parse_netloc
from glance.store import originconn
from glance.store.base import SkippedImageData, Store, effective_chunk_size
from glance.store.limits import FetchLimits
from glance.store.transfer import ResponseImageData

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"glance-http-store/{__version__}"
_DECIMAL = re.compile(r"[0-9]+\Z")
# What http.client refuses in a request target (control characters, space).
_BAD_PATH_CHAR = re.compile(r"[\x00-\x20\x7f]")


def unavailable(image_id, detail):
    """The OriginUnavailable a client sees: the image, never the origin."""
    named = f" (image {image_id})" if image_id is not None else ""
    return exception.OriginUnavailable(f"the image's origin is unavailable{named}",
                                       image_id, detail=detail)


class Target:
    """One parsed http(s) URL: where to connect, what to ask, how to log it."""

    def __init__(self, url):
        try:
            parts = urlsplit(url)
        except (TypeError, ValueError, AttributeError):
            raise exception.Invalid("the location is not a valid http or https URL") from None
        self.scheme = parts.scheme.lower()
        if self.scheme not in DEFAULT_PORTS:
            raise exception.Invalid("the location is not an http or https URL")
        self.host, port = parse_netloc(parts.netloc)
        self.port = port or DEFAULT_PORTS[self.scheme]
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        self.netloc = shown_host if port is None else f"{shown_host}:{port}"
        # For the log: no user:pass@, no query string (it may carry a signature).
        self.shown = f"{self.scheme}://{self.netloc}{parts.path}"
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if _BAD_PATH_CHAR.search(self.path):
            raise exception.Invalid("the location contains spaces or control characters")
        self.credentials = None
        if parts.username is not None:
            self.credentials = (unquote(parts.username), unquote(parts.password or ""))
        self.url = url

    @property
    def origin(self):
        return (self.scheme, self.host, self.port)

    def follow(self, location, image_id):
        """The target of a redirect to `location` (absolute or relative)."""
        try:
            joined = urljoin(self.url, location)
            scheme = urlsplit(joined).scheme.lower()
        except ValueError:
            scheme = None
        if scheme not in DEFAULT_PORTS:
            raise unavailable(image_id, f"{self.shown} redirected to a location that is "
                                        f"not http or https: {location!r}")
        try:
            target = Target(joined)
        except exception.Invalid as exc:
            raise unavailable(image_id, f"{self.shown} redirected to a bad location "
                                        f"({exc.message}): {location!r}") from None
        # Credentials go along only while the redirect stays on the same origin.
        if target.credentials is None and target.origin == self.origin:
            target.credentials = self.credentials
        return target

    def headers(self):
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        if self.credentials is not None:
            token = base64.b64encode(":".join(self.credentials).encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers


class HttpImageData(ResponseImageData):
    """The body of an origin's response; errors while reading are OriginUnavailable.
    Closing it gives the fetch's permits back; so does losing it unclosed
    (garbage collection), or a leaked permit would refuse that origin and
    owner for good."""

    def __init__(self, store, target, conn, response, fetch, image_id):
        super().__init__(conn, response, response.length, store.chunk_size, target.shown,
                         describe=None)
        self._store = store
        self._target = target
        self._fetch = fetch
        self._image_id = image_id
        weakref.finalize(self, fetch.end)

    def _read_error(self, exc):
        return self._store.origin_error(self._target, exc, self._image_id, reading=True)

    def _release(self):
        try:
            super()._release()
        finally:
            self._fetch.end()

    def _truncated(self, got):
        return unavailable(self._image_id, f"{self._target.shown} ended the data after "
                                           f"{got} of {self.size} bytes")


class HttpStore(Store):
    name = "http"
    schemes = ("http", "https")
    writable = False
    origin_io = True

    def __init__(self, conf, policy=None, ssl_context=None, max_redirects=MAX_REDIRECTS,
                 limits=None, clock=time.monotonic):
        """`policy` (a LocationPolicy: which addresses, and how names are
        looked up), `limits` (FetchLimits) and `clock` are test seams."""
        self.connect_timeout = conf.http_store_connect_timeout
        self.read_timeout = conf.http_store_read_timeout
        self.first_byte_timeout = conf.http_store_first_byte_timeout
        self.chunk_size = effective_chunk_size(conf)
        self.policy = policy or LocationPolicy.from_conf(conf)
        self.limits = limits or FetchLimits.from_conf(conf)
        self.max_redirects = max_redirects
        self._ssl_context = ssl_context
        self._clock = clock

    # -- operations --------------------------------------------------------

    def add(self, image_id, chunks):
        raise exception.Invalid("the http store is read-only", image_id=image_id)

    def delete(self, location, *, image_id):
        """Nothing to do: the data at an http location is not ours."""

    def get(self, location, *, image_id, tenant=None):
        return self.get_from(location, 0, image_id=image_id, tenant=tenant)

    def get_from(self, location, offset, *, image_id, tenant=None):
        """Asks the origin for `bytes=<offset>-` (offset > 0); from an origin
        that ignores the range (200) the first `offset` bytes are read and dropped."""
        extra = {"Range": f"bytes={offset}-"} if offset > 0 else None
        fetch = self.limits.begin(tenant, image_id)
        try:
            target, conn, response = self._open(location, "GET", image_id, fetch, extra)
        except BaseException:
            fetch.end()
            raise
        success = 200 <= response.status < 300
        if (offset <= 0 and success) or (response.status == 206
                                         and _range_start(response) == offset):
            return HttpImageData(self, target, conn, response, fetch, image_id)
        if success and response.status != 206:     # the origin ignored the range
            return SkippedImageData(
                HttpImageData(self, target, conn, response, fetch, image_id), offset)
        conn.close()
        fetch.end()
        raise self._status_error(target, response, image_id)

    def get_size(self, location, *, image_id=None, tenant=None):
        """Content-Length of a HEAD, else of a GET's headers; None if the origin won't say."""
        fetch = self.limits.begin(tenant, image_id)
        try:
            return self._probe_size(location, image_id, fetch)
        finally:
            fetch.end()

    def _probe_size(self, location, image_id, fetch):
        target, conn, response = self._open(location, "HEAD", image_id, fetch)
        try:
            if 200 <= response.status < 300:
                size = _content_length(response)
                if size:
                    return size
        finally:
            conn.close()
        # Some origins refuse HEAD (405, or 403 for URLs signed for GET only),
        # omit the length there, or send "Content-Length: 0" for a HEAD whose
        # app returned no body (wsgiref does): ask a GET, read only its headers.
        target, conn, response = self._open(location, "GET", image_id, fetch)
        try:
            if not 200 <= response.status < 300:
                raise self._status_error(target, response, image_id)
            return response.length
        finally:
            conn.close()

    # -- requests ----------------------------------------------------------

    def _open(self, location, method, image_id, fetch, extra_headers=None):
        """Send `method` for `location`, following redirects -> (target, conn, response).

        Everything until the last response head must happen before one
        deadline, `first_byte_timeout` from now (per request: a size probe
        that falls back from HEAD to GET has two).
        """
        deadline = self._clock() + self.first_byte_timeout
        target = Target(location)
        for hop in range(self.max_redirects + 1):
            fetch.enter((target.host, target.port))
            conn, response = self._request(target, method, image_id, deadline, extra_headers)
            if response.status not in REDIRECT_STATUSES:
                return target, conn, response
            redirect = response.getheader("Location")
            conn.close()
            if hop == self.max_redirects:
                raise unavailable(image_id, f"{target.shown} redirected more than "
                                            f"{self.max_redirects} times")
            if not redirect:
                raise unavailable(image_id, f"{target.shown} answered {response.status} "
                                            "without a Location")
            target = target.follow(redirect, image_id)
        raise AssertionError("unreachable")

    def _left(self, deadline, target, image_id):
        left = deadline - self._clock()
        if left <= 0:
            raise unavailable(image_id, f"{target.shown}: no answer within "
                                        f"{self.first_byte_timeout:g} seconds")
        return left

    def _addresses(self, target, image_id, deadline):
        """The checked addresses of `target`'s host (bounded look-up)."""
        try:
            addresses = self.policy.addresses(
                target.host, target.port, timeout=self._left(deadline, target, image_id))
        except TimeoutError:
            raise unavailable(image_id, f"{target.shown}: the name look-up of "
                                        f"{target.host} took too long") from None
        except OSError as exc:
            raise self.origin_error(target, exc, image_id) from None
        if not self.policy.allowed(addresses):
            raise exception.Forbidden(
                f"the image's origin is not an allowed address (image {image_id})"
                if image_id is not None else "the image's origin is not an allowed address",
                image_id, detail=f"{target.shown} resolves to "
                                 f"{', '.join(map(str, addresses))}")
        return addresses

    def _request(self, target, method, image_id, deadline, extra_headers=None):
        addresses = self._addresses(target, image_id, deadline)
        timeout = min(self.connect_timeout, self._left(deadline, target, image_id))
        conn = originconn.connection(target.scheme, target.host, target.port, addresses,
                                     timeout, deadline, self._clock,
                                     self._ssl() if target.scheme == "https" else None)
        connected = False
        try:
            conn.connect()
            connected = True
            conn.sock.settimeout(self._left(deadline, target, image_id))
            conn.request(method, target.path, headers={**target.headers(),
                                                       **(extra_headers or {})})
            response = conn.getresponse()
            response.head_received(self.read_timeout)
            return conn, response
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self.origin_error(target, exc, image_id, answering=connected) from None
        except BaseException:
            conn.close()
            raise

    def _ssl(self):
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    # -- errors ------------------------------------------------------------

    def _status_error(self, target, response, image_id):
        detail = f"{target.shown} answered {response.status} {response.reason}".rstrip()
        error = unavailable(image_id, detail)
        error.origin_status = response.status   # copy-from tells a 404 apart
        return error

    def origin_error(self, target, exc, image_id, answering=False, reading=False):
        """The OriginUnavailable for a low-level failure talking to `target`.

        The cause in its detail is built from the error's type, never from
        text that could echo the URL (and so its credentials).
        """
        if isinstance(exc, socket.gaierror):
            cause = f"cannot resolve host {target.host}"
        elif isinstance(exc, TimeoutError):
            if reading:
                cause = f"no data within {self.read_timeout:g} seconds"
            elif answering:
                cause = f"no answer within {self.first_byte_timeout:g} seconds"
            else:
                cause = "no connection in time"
        elif isinstance(exc, ConnectionRefusedError):
            cause = "connection refused"
        elif isinstance(exc, http.client.RemoteDisconnected):
            cause = "closed the connection without answering"
        elif isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            cause = "connection reset"
        elif isinstance(exc, http.client.IncompleteRead):
            cause = "the data ended early"
        elif isinstance(exc, ssl.SSLCertVerificationError):
            cause = f"TLS certificate not trusted ({exc.verify_message})"
        elif isinstance(exc, ssl.SSLError):
            cause = f"TLS error ({exc.reason})"
        elif isinstance(exc, http.client.HTTPException):
            cause = f"malformed HTTP response ({type(exc).__name__})"
        else:
            cause = exc.strerror or type(exc).__name__
        return unavailable(image_id, f"{target.shown}: {cause}")


def _content_length(response):
    value = response.getheader("Content-Length")
    if value is None or response.getheader("Transfer-Encoding"):
        return None
    value = value.strip()
    return int(value) if _DECIMAL.match(value) else None


def _range_start(response):
    """The first byte position of a 206's `Content-Range: bytes a-b/n`, or None."""
    unit, _, rest = (response.getheader("Content-Range") or "").strip().partition(" ")
    first = rest.partition("-")[0].strip()
    return int(first) if unit.lower() == "bytes" and _DECIMAL.match(first) else None
