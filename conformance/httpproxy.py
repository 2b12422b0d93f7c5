"""A WSGI app that forwards every request to a live server over real HTTP.

WebTest's `TestApp` drives it exactly like an in-process app, so one test body
serves both targets.  Why not WSGIProxy2: the contract's canonical request
headers carry underscores (`x-image-meta-disk_format`) and the WSGI environ
folds `-` and `_` together, so a proxy that rebuilds names from the environ
cannot send them as written.  This one takes the names the test wrote (from
``conformance.header_names``), streams request bodies in fixed chunks (plain
or chunked transfer coding) and streams responses back, using only
`http.client` — with a response class that reads more than its 100 header
lines (a v1 HEAD of an image with 90 properties sends more).  That class
repeats `glance.common.httpclient.Response` on purpose: the suite imports
nothing of the server it may be judging, so a fault there cannot hide itself.
"""

import email.parser
import http.client
from urllib.parse import quote, urlsplit

CHUNK = 64 * 1024
HEADER_NAMES_KEY = "conformance.header_names"
# Hop-by-hop headers belong to one connection; a WSGI app must not pass them on.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "trailers", "transfer-encoding", "upgrade"}


MAX_HEADERS = 10_000
MAX_LINE = 65536


class TransportError(Exception):
    """The server could not be reached or broke the connection: the suite cannot judge."""


class Response(http.client.HTTPResponse):
    """`HTTPResponse` reading up to MAX_HEADERS header lines.

    `begin` follows Python 3.11's own step by step; only the head is read
    here, because the standard one reads it through a module-level limit
    that no subclass can change without changing it for the whole process.
    """

    def begin(self):
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            self._read_head()
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = self._read_head()
        self.chunked = (self.headers.get("transfer-encoding") or "").lower() == "chunked"
        self.chunk_left = None
        self.will_close = self._check_close()
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length) if int(length) >= 0 else None
            except ValueError:
                pass
        if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) \
                or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True

    def _read_head(self):
        lines = []
        while True:
            line = self.fp.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise http.client.LineTooLong("header line")
            if line in (b"\r\n", b"\n", b""):
                break
            lines.append(line)
            if len(lines) > MAX_HEADERS:
                raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        text = b"".join(lines).decode("iso-8859-1")
        return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)


def normalise(name):
    return name.upper().replace("-", "_")


class HTTPProxy:
    def __init__(self, base_url, timeout=30.0):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.netloc = parts.netloc
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout

    def connection(self):
        cls = (http.client.HTTPSConnection if self.scheme == "https"
               else http.client.HTTPConnection)
        conn = cls(self.host, self.port, timeout=self.timeout)
        conn.response_class = Response
        return conn

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = self.prefix + quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                                   safe="/;:@&=+$,!~*'()%")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        chunked = ("CONTENT_LENGTH" not in environ or environ["CONTENT_LENGTH"] == "") and \
            environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
        conn = self.connection()
        try:
            conn.putrequest(method, path or "/", skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", self.netloc)
            for name, value in self.request_headers(environ):
                conn.putheader(name, value.encode("latin-1"))
            conn.endheaders()
            try:
                self.send_body(conn, environ, chunked)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered early and closed; read that answer
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise TransportError(f"{method} {self.base_url}{path}: {exc!r}") from exc
        headers = [(name, value) for name, value in response.getheaders()
                   if name.lower() not in HOP_BY_HOP]
        start_response(f"{response.status} {response.reason}", headers)
        if method == "HEAD":
            conn.close()
            return []
        return _Body(response, conn)

    def request_headers(self, environ):
        written = {normalise(n): n for n in environ.get(HEADER_NAMES_KEY, ())}
        for key, value in environ.items():
            if key.startswith("HTTP_") and key != "HTTP_HOST":
                name = key[5:]
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value != "":
                name = key
            else:
                continue
            yield written.get(name, name.replace("_", "-").title()), value

    @staticmethod
    def send_body(conn, environ, chunked):
        stream = environ.get("wsgi.input")
        if stream is None:
            return
        if chunked:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
            return
        remaining = int(environ.get("CONTENT_LENGTH") or 0)
        while remaining > 0:
            chunk = stream.read(min(CHUNK, remaining))
            if not chunk:
                break
            conn.send(chunk)
            remaining -= len(chunk)


class _Body:
    """The response body as an iterator of chunks; closes the connection at the end."""

    def __init__(self, response, conn):
        self.response = response
        self.conn = conn

    def __iter__(self):
        try:
            while True:
                chunk = self.response.read(CHUNK)
                if not chunk:
                    break
                yield chunk
        except http.client.IncompleteRead as exc:
            # The server promised more than it sent: hand on what arrived and
            # let the checks compare it with Content-Length.
            yield exc.partial
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(f"reading the response body: {exc!r}") from exc

    def close(self):
        self.conn.close()
