"""A misbehaving-on-demand HTTP image origin for the http store's tests.

`Origin()` serves `origin_app` on 127.0.0.1, port 0, from a thread
(wsgiref, one thread per request) and records every request it gets.  The
path says what to do:

    /bytes/<n>                n bytes of `pattern(n)` with Content-Length
        ?nolength=1           ... without Content-Length (ends by closing)
        ?headlength=<v>       ... but HEAD answers Content-Length: v ("none": no header)
        ?nohead=1             ... but HEAD answers 405
    /status/<code>            an empty answer with that status
    /stall                    never answers (until the origin stops)
    /stall/<n>                headers and n bytes of a declared 2n, then nothing
    /drop/<n>?of=<m>          declares m bytes, sends n, closes the connection
    /reset/<n>?of=<m>         declares m bytes, sends n, then resets (RST)
    /redirect/<k>/<rest>      k redirects (relative; ?absolute=1 for absolute
                              Locations, ?status=301 for another code), then /<rest>
    /to?url=<url>             one redirect to exactly <url>
    /loop                     redirects to itself
    /auth/<n>                 like /bytes/<n>, but only with Basic alice:s3cr3t
"""

import base64
import socket
import struct
import threading
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

USER, PASSWORD = "alice", "s3cr3t"
_BLOCK = bytes(range(251))  # a prime-length period: misplaced chunks show


def pattern(n, offset=0):
    """n bytes of the origin's deterministic data, from `offset`."""
    out = bytearray()
    start = offset % len(_BLOCK)
    while len(out) < n:
        out += _BLOCK[start:]
        start = 0
    return bytes(out[:n])


def _pattern_chunks(n, size=1 << 16):
    offset = 0
    while offset < n:
        step = min(size, n - offset)
        yield pattern(step, offset)
        offset += step


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _Handler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["fixture.socket"] = self.connection
        return environ

    def log_message(self, *args):
        pass


class Origin:
    """The origin server; use as a context manager or start()/stop()."""

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.requests = []
        self.released = threading.Event()
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, path, userinfo=None):
        at = f"{userinfo}@" if userinfo else ""
        return f"http://{at}{self.host}:{self.port}{path}"

    def start(self):
        self._server = make_server(self.host, 0, self.app, server_class=_Server,
                                   handler_class=_Handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- the WSGI app --------------------------------------------------------

    def app(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query_string = environ.get("QUERY_STRING", "")
        query = {k: v[-1] for k, v in parse_qs(query_string).items()}
        self.requests.append({
            "method": method,
            "path": path,
            "query": query_string,
            "authorization": environ.get("HTTP_AUTHORIZATION"),
        })
        parts = path.strip("/").split("/")
        head = method == "HEAD"
        route, args = parts[0], parts[1:]

        if route == "bytes":
            return self._bytes(int(args[0]), query, head, start_response)
        if route == "auth":
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if environ.get("HTTP_AUTHORIZATION") != expected:
                return _status(start_response, 401)
            return self._bytes(int(args[0]), query, head, start_response)
        if route == "status":
            return _status(start_response, int(args[0]))
        if route == "stall":
            return self._stall(int(args[0]) if args else None, start_response)
        if route in ("drop", "reset"):
            return self._cut(route, int(args[0]), int(query["of"]), environ, start_response)
        if route == "redirect":
            hops, rest = int(args[0]), "/".join(args[1:])
            target = f"/redirect/{hops - 1}/{rest}" if hops > 1 else f"/{rest}"
            if query_string:
                target += "?" + query_string
            if query.get("absolute"):
                target = f"http://{self.host}:{self.port}{target}"
            return _redirect(start_response, target, int(query.get("status", 302)))
        if route == "to":
            return _redirect(start_response, query["url"])
        if route == "loop":
            return _redirect(start_response, "/loop")
        return _status(start_response, 404)

    def _bytes(self, n, query, head, start_response):
        headers = [("Content-Type", "application/octet-stream")]
        if head and query.get("nohead"):
            return _status(start_response, 405)
        length = str(n)
        if head and "headlength" in query:
            length = query["headlength"]
        if not query.get("nolength") and length != "none":
            headers.append(("Content-Length", length))
        start_response("200 OK", headers)
        if head:
            # A generator, not [], or wsgiref adds "Content-Length: 0".
            return iter([b""])
        return _pattern_chunks(n)

    def _stall(self, n, start_response):
        if n is None:
            self.released.wait(30)
            return _status(start_response, 200)
        start_response("200 OK", [("Content-Length", str(2 * n))])

        def body():
            yield pattern(n)
            self.released.wait(30)
        return body()

    def _cut(self, how, n, of, environ, start_response):
        sock = environ["fixture.socket"]
        start_response("200 OK", [("Content-Length", str(of))])

        def body():
            yield pattern(n)
            if how == "reset":
                # Let the client read the headers and the bytes first.
                self.released.wait(0.2)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            # "drop": wsgiref closes the connection once the body iterator ends.
        return body()


def _status(start_response, code):
    start_response(f"{code} Status {code}", [("Content-Length", "0")])
    return []


def _redirect(start_response, location, code=302):
    start_response(f"{code} Redirect", [("Location", location), ("Content-Length", "0")])
    return []
