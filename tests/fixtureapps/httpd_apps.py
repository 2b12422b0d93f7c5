"""Tiny WSGI apps for the HTTP server's tests (tests/httpd, the slow-client test).

Each does one thing a test can check from the outside: say hello with the
path, answer the client's port, digest the body, report the environ or
what reading the body did, stream a generator, send a file through
`wsgi.file_wrapper`.
"""

import hashlib
import io
import json
import os


def hello_app(environ, start_response):
    body = b"hello " + environ["PATH_INFO"].encode("latin-1")
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


def port_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["REMOTE_PORT"].encode()]


def digest_app(environ, start_response):
    """Answers the md5 and size of the request body, read in 64 KiB blocks
    (with read(), or with readinto() into one odd-sized buffer for /readinto)."""
    md5, size = hashlib.md5(), 0
    body = environ["wsgi.input"]
    if environ["PATH_INFO"] == "/readinto":
        buffer = bytearray(100_003)
        while got := body.readinto(buffer):
            md5.update(buffer[:got])
            size += got
    else:
        while block := body.read(65536):
            md5.update(block)
            size += len(block)
    body = json.dumps({"md5": md5.hexdigest(), "size": size}).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


def environ_app(seen):
    """Puts a copy of each environ on the queue `seen`; answers 204."""
    def app(environ, start_response):
        seen.put(dict(environ))
        environ["wsgi.input"].read()
        start_response("204 No Content", [])
        return []
    return app


def reading_app(outcome):
    """Reads the whole body and puts what the read did (the bytes, or the
    exception) on the queue `outcome` (with readinto() into one large
    buffer for /readinto)."""
    def app(environ, start_response):
        body = environ["wsgi.input"]
        try:
            if environ["PATH_INFO"] == "/readinto":
                buffer = bytearray(1 << 20)
                outcome.put(bytes(buffer[:body.readinto(buffer)]))
            else:
                outcome.put(body.read())
        except Exception as exc:
            outcome.put(exc)
            raise
        start_response("200 OK", [("Content-Length", "0")])
        return []
    return app


def generator_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"first "
    yield b""
    yield b"second"


class CountingFile(io.FileIO):
    """A file that counts its reads (zero when the server used sendfile)."""

    reads = 0

    def read(self, size=-1):
        CountingFile.reads += 1
        return super().read(size)


def file_app(path, offset=0, length=None, opener=CountingFile):
    """Sends the file at `path` (from `offset`, `length` bytes) as a file_wrapper."""
    def app(environ, start_response):
        f = opener(path, "rb") if opener is CountingFile else opener(path)
        f.seek(offset)
        size = length if length is not None else os.path.getsize(path) - offset
        start_response("200 OK", [("Content-Length", str(size))])
        return environ["wsgi.file_wrapper"](f, 65536)
    return app


def routes(table, default=hello_app):
    """An app that picks one of `table` ({path: app}) by PATH_INFO."""
    def app(environ, start_response):
        return table.get(environ["PATH_INFO"], default)(environ, start_response)
    return app
