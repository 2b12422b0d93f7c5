"""A WSGI middleware that rewrites one thing of an app's requests or answers.

The machinery of the single-fault mutants (`mutants.py`): `Rewrite` buffers
the app's answer and lets small functions change the request on the way in
and the status, headers or body on the way out; the helpers below build
those functions.
"""

import io
import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Callable
from urllib.parse import parse_qsl, urlencode


@dataclass
class Mutant:
    """One single-fault mutant: its name, the app it wraps ("api" or "registry"), the
    clause the suite must see broken, the areas to run, and the wrapper factory."""

    name: str
    target: str
    clause: str
    areas: tuple
    wrap: Callable
    needs: tuple = ()  # other clauses the suite relies on to see this fault


class Rewrite:
    """Buffer the app's answer and let small functions rewrite the request and the answer."""

    def __init__(self, app, when=lambda env: True, request=None, status=None, headers=None,
                 body=None, keep_length=False):
        self.app = app
        self.when = when
        self.rewrite_request = request
        self.rewrite_status = status
        self.rewrite_headers = headers
        self.rewrite_body = body
        self.keep_length = keep_length

    def __call__(self, environ, start_response):
        if not self.when(environ):
            return self.app(environ, start_response)
        if self.rewrite_request:
            self.rewrite_request(environ)
        seen, chunks = {}, []

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            return chunks.append

        result = self.app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers, body = seen["status"], seen["headers"], b"".join(chunks)
        if self.rewrite_status:
            status = self.rewrite_status(environ, status)
        if self.rewrite_body:
            body = self.rewrite_body(environ, status, headers, body)
        if self.rewrite_headers:
            headers = self.rewrite_headers(environ, status, headers)
        if not self.keep_length:
            headers = [(n, str(len(body)) if n.lower() == "content-length" else v)
                       for n, v in headers]
        start_response(status, headers)
        return [body]


# -- small helpers ---------------------------------------------------------------
def method_path(method, pattern):
    rx = re.compile(pattern)
    return lambda env: env["REQUEST_METHOD"] == method and bool(rx.match(env.get("PATH_INFO", "")))


def status_swap(old, new):
    phrase = HTTPStatus(new).phrase

    def swap(env, status):
        return f"{new} {phrase}" if status.startswith(str(old)) else status
    return swap


def query_edit(fn):
    def edit(env):
        pairs = parse_qsl(env.get("QUERY_STRING", ""), keep_blank_values=True)
        env["QUERY_STRING"] = urlencode(fn(pairs))
    return edit


def json_edit(fn):
    def edit(env, status, headers, body):
        if not body or not any(n.lower() == "content-type" and "json" in v for n, v in headers):
            return body
        doc = json.loads(body)
        fn(doc)
        return json.dumps(doc).encode()
    return edit


def each_image(fn):
    def visit(doc):
        for image in ([doc["image"]] if "image" in doc else doc.get("images", [])):
            fn(image)
    return visit


def has_body(env):
    return (env.get("CONTENT_LENGTH") or "0") != "0" or \
        env.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"


def drop_env(*keys, only_with_body=False):
    def edit(env):
        if not only_with_body or has_body(env):
            for key in keys:
                env.pop(key, None)
    return edit


def header_map(fn):
    def edit(env, status, headers):
        return [h for h in (fn(n, v) for n, v in headers) if h is not None]
    return edit


def json_body_edit(fn):
    """A request rewrite: `fn(doc)` changes the JSON body (left alone when not JSON)."""
    def edit(env):
        raw = env["wsgi.input"].read(int(env.get("CONTENT_LENGTH") or 0))
        try:
            doc = json.loads(raw)
            fn(doc)
            raw = json.dumps(doc).encode()
        except (ValueError, AttributeError, TypeError, RecursionError):
            pass
        env["wsgi.input"], env["CONTENT_LENGTH"] = io.BytesIO(raw), str(len(raw))
    return edit


def answer(status, body=b"", headers=()):
    """A WSGI app that answers the same thing to everything (a route gone missing)."""
    def app(environ, start_response):
        start_response(status, [("Content-Length", str(len(body))), *headers])
        return [body]
    return app
