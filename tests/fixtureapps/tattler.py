"""A fake object store that tells everything: for the credential-redaction tests.

`Tattler(status)` serves on 127.0.0.1 (port 0, a thread per request).  Its
Swift v1 auth route (`/auth/v1.0`) hands out the token `TOKEN` and a storage
URL pointing back at itself; every other request is answered with `status`
(and, for 401, the auth route keeps answering too) and a body that echoes
every request header, the secret ones included, the way a careless server's
error page might.  A store's error messages and logs must repeat none of it.
"""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

TOKEN = "AUTH_tk_0123456789abcdef_SECRET_TOKEN"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Tattler:
    def __init__(self, status="500 Internal Server Error"):
        self.status = status
        self.requests = []
        self._server = None
        self._thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def app(self, environ, start_response):
        headers = {key[5:].replace("_", "-").title(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        self.requests.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO"), headers))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            environ["wsgi.input"].read(length)
        if environ.get("PATH_INFO") == "/auth/v1.0":
            start_response("200 OK", [("X-Auth-Token", TOKEN), ("X-Auth-Token-Expires", "3600"),
                                      ("X-Storage-Url", f"{self.url}/v1/AUTH_test"),
                                      ("Content-Length", "0")])
            return [b""]
        echoed = "".join(f"{name}: {value}\n" for name, value in headers.items())
        body = (f"<Error><Code>Leaky</Code><Message>{echoed}</Message>"
                f"<StringToSign>{echoed}</StringToSign></Error>").encode()
        start_response(self.status, [("Content-Type", "application/xml"),
                                     ("Content-Length", str(len(body)))])
        return [body]

    def __enter__(self):
        self._server = make_server("127.0.0.1", 0, self.app, server_class=_Server,
                                   handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
