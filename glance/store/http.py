"""The read-only `http`/`https` store: image data stays at its URL and is streamed through.

Each read opens one `http.client` connection with a connect timeout and a
per-read timeout, follows up to `MAX_REDIRECTS` redirects (to http/https only)
and consults the injectable `address_allowed(host, port)` before every hop.
Credentials in a URL (`http://user:pass@host/x`) travel as an Authorization
header and never appear in messages; every failure of the origin is an
`OriginUnavailable` naming the host and the cause.
"""

import base64
import http.client
import re
import socket
import ssl
from urllib.parse import unquote, urljoin, urlsplit

from glance import __version__
from glance.common import exception
from glance.common.netpolicy import LocationPolicy
from glance.store.base import SkippedImageData, Store, effective_chunk_size
from glance.store.transfer import ResponseImageData

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = f"glance-http-store/{__version__}"
_DECIMAL = re.compile(r"[0-9]+\Z")
# What http.client refuses in a request target (control characters, space).
_BAD_PATH_CHAR = re.compile(r"[\x00-\x20\x7f]")


class Target:
    """One parsed http(s) URL: where to connect, what to ask, how to name it."""

    def __init__(self, url):
        try:
            parts = urlsplit(url)
            port = parts.port
        except (TypeError, ValueError, AttributeError):
            raise exception.Invalid("location is not a valid http or https URL") from None
        self.scheme = parts.scheme.lower()
        if self.scheme not in DEFAULT_PORTS:
            raise exception.Invalid("location is not an http or https URL")
        if not parts.hostname:
            raise exception.Invalid("http location has no host")
        self.host = parts.hostname
        if not self.host.isascii():
            try:
                self.host = self.host.encode("idna").decode("ascii")
            except UnicodeError:
                raise exception.Invalid("http location has an invalid host name") from None
        self.port = port or DEFAULT_PORTS[self.scheme]
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        self.netloc = shown_host if port is None else f"{shown_host}:{port}"
        # Safe to show: no user:pass@, no query string (it may carry a signature).
        self.shown = f"{self.scheme}://{self.netloc}{parts.path}"
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if _BAD_PATH_CHAR.search(self.path):
            raise exception.Invalid(f"location {self.shown} contains spaces or control characters")
        self.credentials = None
        if parts.username is not None:
            self.credentials = (unquote(parts.username), unquote(parts.password or ""))
        self.url = url

    @property
    def origin(self):
        return (self.scheme, self.host, self.port)

    def follow(self, location):
        """The target of a redirect to `location` (absolute or relative)."""
        try:
            joined = urljoin(self.url, location)
            scheme = urlsplit(joined).scheme.lower()
        except ValueError:
            scheme = None
        if scheme not in DEFAULT_PORTS:
            raise exception.OriginUnavailable(
                f"image origin {self.shown} redirected to a location that is not http or https")
        try:
            target = Target(joined)
        except exception.Invalid as exc:
            raise exception.OriginUnavailable(
                f"image origin {self.shown} redirected to a bad location: {exc.message}") from None
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
    """The body of an origin's response; errors while reading are OriginUnavailable."""

    def __init__(self, store, target, conn, response, size, chunk_size):
        super().__init__(conn, response, size, chunk_size, target.shown, describe=None)
        self._store = store
        self._target = target

    def _read_error(self, exc):
        return self._store.origin_error(self._target, exc, reading=True)

    def _truncated(self, got):
        return exception.OriginUnavailable(
            f"image origin {self._target.shown} ended the data after {got} of {self.size} bytes")


class HttpStore(Store):
    name = "http"
    schemes = ("http", "https")
    writable = False

    def __init__(self, conf, address_allowed=None, ssl_context=None,
                 max_redirects=MAX_REDIRECTS):
        self.connect_timeout = conf.http_store_connect_timeout
        self.read_timeout = conf.http_store_read_timeout
        self.chunk_size = effective_chunk_size(conf)
        self.address_allowed = (address_allowed
                                or LocationPolicy.from_conf(conf).address_allowed)
        self.max_redirects = max_redirects
        self._ssl_context = ssl_context

    # -- operations --------------------------------------------------------

    def add(self, image_id, chunks):
        raise exception.Invalid("the http store is read-only", image_id=image_id)

    def delete(self, location):
        """Nothing to do: the data at an http location is not ours."""

    def get(self, location):
        target, conn, response = self._open(location, "GET")
        if not 200 <= response.status < 300:
            conn.close()
            raise self._status_error(target, response)
        # http.client's length: None when absent, invalid or chunked.
        return HttpImageData(self, target, conn, response, response.length, self.chunk_size)

    def get_from(self, location, offset):
        """Asks the origin for `bytes=<offset>-`; from an origin that ignores
        the range (200) the first `offset` bytes are read and dropped."""
        if offset <= 0:
            return self.get(location)
        target, conn, response = self._open(location, "GET", {"Range": f"bytes={offset}-"})
        if response.status == 206 and _range_start(response) == offset:
            return HttpImageData(self, target, conn, response, response.length, self.chunk_size)
        if 200 <= response.status < 300 and response.status != 206:
            return SkippedImageData(
                HttpImageData(self, target, conn, response, response.length, self.chunk_size),
                offset)
        conn.close()
        raise self._status_error(target, response)

    def get_size(self, location):
        """Content-Length of a HEAD, else of a GET's headers; None if the origin won't say."""
        target, conn, response = self._open(location, "HEAD")
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
        target, conn, response = self._open(location, "GET")
        try:
            if not 200 <= response.status < 300:
                raise self._status_error(target, response)
            return response.length
        finally:
            conn.close()

    # -- requests ----------------------------------------------------------

    def _open(self, location, method, extra_headers=None):
        """Send `method` for `location`, following redirects -> (target, conn, response)."""
        target = Target(location)
        for hop in range(self.max_redirects + 1):
            if not self.address_allowed(target.host, target.port):
                raise exception.Forbidden(f"location {target.shown} is not an allowed address")
            conn, response = self._request(target, method, extra_headers)
            if response.status not in REDIRECT_STATUSES:
                return target, conn, response
            redirect = response.getheader("Location")
            conn.close()
            if hop == self.max_redirects:
                raise exception.OriginUnavailable(
                    f"image origin {target.shown} redirected more than "
                    f"{self.max_redirects} times")
            if not redirect:
                raise exception.OriginUnavailable(
                    f"image origin {target.shown} answered {response.status} without a Location")
            target = target.follow(redirect)
        raise AssertionError("unreachable")

    def _request(self, target, method, extra_headers=None):
        if target.scheme == "https":
            conn = http.client.HTTPSConnection(target.host, target.port,
                                               timeout=self.connect_timeout,
                                               context=self._ssl())
        else:
            conn = http.client.HTTPConnection(target.host, target.port,
                                              timeout=self.connect_timeout)
        connected = False
        try:
            conn.connect()
            connected = True
            conn.sock.settimeout(self.read_timeout)
            conn.request(method, target.path, headers={**target.headers(),
                                                       **(extra_headers or {})})
            return conn, conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self.origin_error(target, exc, reading=connected) from None
        except BaseException:
            conn.close()
            raise

    def _ssl(self):
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    # -- errors ------------------------------------------------------------

    def _status_error(self, target, response):
        cls = exception.OriginNotFound if response.status == 404 else exception.OriginUnavailable
        return cls(
            f"image origin {target.shown} answered {response.status} {response.reason}".rstrip())

    def origin_error(self, target, exc, reading=False):
        """The OriginUnavailable for a low-level failure talking to `target`.

        Messages are built from the error's type, never from text that could
        echo the URL (and so its credentials).
        """
        if isinstance(exc, socket.gaierror):
            cause = f"cannot resolve host {target.host}"
        elif isinstance(exc, TimeoutError):
            if reading:
                cause = f"no data within {self.read_timeout:g} seconds"
            else:
                cause = f"no connection within {self.connect_timeout:g} seconds"
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
        return exception.OriginUnavailable(f"image origin {target.shown}: {cause}")


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
