"""Single-fault mutants: WSGI middleware that each breaks exactly one contract clause.

A mutant wraps our API (or registry) app and rewrites one thing on the way
in or out: a status, a header, a JSON field, a query parameter.  The
conformance suite must fail every mutant and name the clause it breaks.
`MUTANTS` lists them: (name, target app, expected clause, areas to run,
factory).
"""

import io
import json
import re
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl, urlencode

ONE_IMAGE = re.compile(r"^(/v1)?/images/[0-9a-f-]+/?$")
LISTS = re.compile(r"^(/v1)?/images(/detail)?/?$")


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
    phrases = {200: "OK", 201: "Created", 300: "Multiple Choices", 404: "Not Found",
               409: "Conflict", 500: "Internal Server Error"}

    def swap(env, status):
        return f"{new} {phrases[new]}" if status.startswith(str(old)) else status
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


# -- mutants that need a little state ------------------------------------------------
class Ghosts:
    """Remembers images it saw created, and lists them again after they are deleted."""

    def __init__(self, app):
        self.app = app
        self.known, self.deleted = {}, set()

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        wrapped = Rewrite(self.app, body=self.body)
        if method == "DELETE" and ONE_IMAGE.match(path):
            self.deleted.add(path.rstrip("/").rsplit("/", 1)[1])
        return wrapped(environ, start_response)

    def body(self, env, status, headers, body):
        if not body or not any("json" in v for n, v in headers if n.lower() == "content-type"):
            return body
        doc = json.loads(body)
        if env["REQUEST_METHOD"] == "POST" and "image" in doc:
            self.known[doc["image"]["id"]] = doc["image"]
        if env["REQUEST_METHOD"] == "GET" and LISTS.match(env.get("PATH_INFO", "")) \
                and "images" in doc:
            query = dict(parse_qsl(env.get("QUERY_STRING", "")))
            wanted = {k[9:]: v for k, v in query.items() if k.startswith("property-")}
            for iid in sorted(self.deleted):
                ghost = self.known.get(iid)
                if ghost and all(ghost.get("properties", {}).get(k) == v
                                 for k, v in wanted.items()):
                    doc["images"].insert(0, dict(ghost, deleted=True))
        return json.dumps(doc).encode()


def corrupt_marker(pairs):
    """Another id than the marker: its last hex digit changed."""
    return [(k, v[:-1] + ("0" if v[-1:] != "0" else "1") if k == "marker" and v else v)
            for k, v in pairs]


def now_stamp(env, status, headers):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000", time.gmtime())
    return [(n, stamp if n.lower() == "x-image-meta-updated_at" else v) for n, v in headers]


def ascii_only(name, value):
    if name.lower() == "x-image-meta-name":
        return name, "".join(c if ord(c) < 128 else "?" for c in value)
    return name, value


def strip_controls(env):
    for key, value in list(env.items()):
        if key.startswith("HTTP_X_IMAGE_META_"):
            env[key] = "".join(c for c in value if ord(c) >= 32 and ord(c) != 127)


def truncate_name(env):
    if "HTTP_X_IMAGE_META_NAME" in env:
        env["HTTP_X_IMAGE_META_NAME"] = env["HTTP_X_IMAGE_META_NAME"][:255]


def default_public(env):
    env.setdefault("HTTP_X_IMAGE_META_IS_PUBLIC", "True")


def ami_fix(env):
    if env.get("HTTP_X_IMAGE_META_DISK_FORMAT") == "ami":
        env.setdefault("HTTP_X_IMAGE_META_CONTAINER_FORMAT", "ami")


def chunked_lost(env):
    if env.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        env["wsgi.input"] = io.BytesIO(b"")


def v2_as_v1(env):
    env["PATH_INFO"] = re.sub(r"^/v2(?=/|$)", "/v1", env.get("PATH_INFO", ""))


def registry_queued(env):
    if env["REQUEST_METHOD"] != "POST":
        return
    raw = env["wsgi.input"].read(int(env.get("CONTENT_LENGTH") or 0))
    try:
        doc = json.loads(raw)
        if isinstance(doc.get("image"), dict):
            doc["image"].setdefault("status", "queued")
        raw = json.dumps(doc).encode()
    except (ValueError, AttributeError):
        pass
    env["wsgi.input"], env["CONTENT_LENGTH"] = io.BytesIO(raw), str(len(raw))


def html_errors(env, status, headers, body):
    return b"<html><body><h1>Bad request</h1></body></html>" if status[0] == "4" else body


def html_type(env, status, headers):
    if status[0] != "4":
        return headers
    return [(n, "text/html" if n.lower() == "content-type" else v) for n, v in headers]


@dataclass
class Mutant:
    name: str
    target: str  # "api" or "registry"
    clause: str
    areas: tuple
    wrap: Callable


M = Mutant
MUTANTS = [
    M("post-answers-200", "api", "API-POST-1", ("create",),
      lambda app: Rewrite(app, method_path("POST", r"^(/v1)?/images/?$"),
                          status=status_swap(201, 200))),
    M("versions-answer-200", "api", "VER-1", ("versions",),
      lambda app: Rewrite(app, status=status_swap(300, 200))),
    M("unknown-version-served", "api", "VER-3", ("versions",),
      lambda app: Rewrite(app, request=v2_as_v1)),
    M("json-as-text-plain", "api", "JSON-1", ("listing",),
      lambda app: Rewrite(app, lambda env: bool(LISTS.match(env["PATH_INFO"])),
                          headers=header_map(lambda n, v: (n, "text/plain")
                                             if n.lower() == "content-type" else (n, v)))),
    M("head-without-etag", "api", "API-HEAD-2", ("download",),
      lambda app: Rewrite(app, method_path("HEAD", ONE_IMAGE.pattern),
                          headers=header_map(lambda n, v: None if n.lower() == "etag"
                                             else (n, v)))),
    M("head-without-location", "api", "API-HEAD-4", ("headers",),
      lambda app: Rewrite(app, method_path("HEAD", ONE_IMAGE.pattern),
                          headers=header_map(lambda n, v: None if n.lower() == "location"
                                             else (n, v)))),
    M("misspelled-disk-format-header", "api", "HDR-1", ("headers",),
      lambda app: Rewrite(app, headers=header_map(
          lambda n, v: ("x-image-meta-disk-format", v)
          if n.lower() == "x-image-meta-disk_format" else (n, v)))),
    M("utf8-name-mangled", "api", "HDR-4", ("headers",),
      lambda app: Rewrite(app, headers=header_map(ascii_only))),
    M("private-in-default-list", "api", "API-LIST-5", ("listing",),
      lambda app: Rewrite(app, lambda env: bool(LISTS.match(env["PATH_INFO"]))
                          and "is_public" not in env.get("QUERY_STRING", ""),
                          request=query_edit(lambda p: p + [("is_public", "none")]))),
    M("deleted-images-listed", "api", "API-LIST-4", ("listing",), Ghosts),
    M("brief-list-with-status", "api", "API-LIST-2", ("listing",),
      lambda app: Rewrite(app, method_path("GET", r"^(/v1)?/images/?$"),
                          body=json_edit(each_image(lambda i: i.setdefault("status", "active"))))),
    M("timestamps-with-zone", "api", "IMG-5", ("listing",),
      lambda app: Rewrite(app, body=json_edit(each_image(
          lambda i: i.update(created_at=(i.get("created_at") or "") + "Z"))))),
    M("marker-ignored", "api", "PAGE-2", ("paging",),
      lambda app: Rewrite(app, request=query_edit(lambda p: [x for x in p if x[0] != "marker"]))),
    M("marker-corrupted", "api", "PAGE-2", ("paging",),
      lambda app: Rewrite(app, request=query_edit(corrupt_marker))),
    M("default-limit-100", "api", "PAGE-1", ("paging",),
      lambda app: Rewrite(app, lambda env: "limit=" not in env.get("QUERY_STRING", ""),
                          request=query_edit(lambda p: p + [("limit", "100")]))),
    M("sort-dir-ignored", "api", "FLT-5", ("paging",),
      lambda app: Rewrite(app, request=query_edit(lambda p: [x for x in p if x[0] != "sort_dir"]))),
    M("size-min-exclusive", "api", "FLT-4", ("paging",),
      lambda app: Rewrite(app, request=query_edit(
          lambda p: [(k, str(int(v) + 1) if k == "size_min" and v.isdigit() else v)
                     for k, v in p]))),
    M("unknown-sort-key-ignored", "api", "FLT-6", ("paging",),
      lambda app: Rewrite(app, request=query_edit(
          lambda p: [x for x in p if not (x[0] == "sort_key" and x[1] not in
                                          ("name", "id", "size", "created_at", "updated_at",
                                           "disk_format", "container_format", "type",
                                           "status", "uri"))]))),
    M("size-mismatch-ignored", "api", "API-POST-6", ("create",),
      lambda app: Rewrite(app, request=drop_env("HTTP_X_IMAGE_META_SIZE", only_with_body=True))),
    M("checksum-mismatch-ignored", "api", "API-POST-7", ("create",),
      lambda app: Rewrite(app, request=drop_env("HTTP_X_IMAGE_META_CHECKSUM",
                                                only_with_body=True))),
    M("any-content-type-accepted", "api", "API-POST-3", ("create",),
      lambda app: Rewrite(app, has_body, request=lambda env: env.update(
          CONTENT_TYPE="application/octet-stream"))),
    M("chunked-body-lost", "api", "API-POST-5", ("create",),
      lambda app: Rewrite(app, request=chunked_lost)),
    M("public-by-default", "api", "IMG-8", ("create",),
      lambda app: Rewrite(app, method_path("POST", r"^(/v1)?/images/?$"),
                          request=default_public)),
    M("uri-drops-v1", "api", "IMG-4", ("create",),
      lambda app: Rewrite(app, body=json_edit(each_image(
          lambda i: i.update(uri=i.get("uri", "").replace("/v1/images/", "/images/")))))),
    M("location-hidden-from-admin", "api", "IMG-9", ("create",),
      lambda app: Rewrite(app, body=json_edit(each_image(lambda i: i.pop("location", None))))),
    M("data-accepted-for-active-image", "api", "API-PUT-5", ("update",),
      lambda app: Rewrite(app, method_path("PUT", ONE_IMAGE.pattern),
                          status=status_swap(409, 200))),
    M("purge-props-ignored", "api", "API-PUT-4", ("update",),
      lambda app: Rewrite(app, request=drop_env("HTTP_X_GLANCE_REGISTRY_PURGE_PROPS"))),
    M("reads-touch-updated-at", "api", "IMG-6", ("update",),
      lambda app: Rewrite(app, lambda env: env["REQUEST_METHOD"] in ("HEAD", "GET")
                          and bool(ONE_IMAGE.match(env["PATH_INFO"])), headers=now_stamp)),
    M("no-data-answers-500", "api", "API-GET-2", ("download",),
      lambda app: Rewrite(app, method_path("GET", ONE_IMAGE.pattern),
                          status=status_swap(404, 500))),
    M("wrong-content-length", "api", "API-GET-1", ("download",),
      lambda app: Rewrite(app, method_path("GET", ONE_IMAGE.pattern), keep_length=True,
                          headers=header_map(lambda n, v: (n, str(int(v) + 1))
                                             if n.lower() == "content-length" else (n, v)))),
    M("second-delete-answers-200", "api", "API-DEL-3", ("delete",),
      lambda app: Rewrite(app, method_path("DELETE", ONE_IMAGE.pattern),
                          status=status_swap(404, 200))),
    M("ami-rule-ignored", "api", "VAL-2", ("validation",),
      lambda app: Rewrite(app, request=ami_fix)),
    M("control-characters-accepted", "api", "VAL-6", ("validation",),
      lambda app: Rewrite(app, request=strip_controls)),
    M("long-names-truncated", "api", "VAL-4", ("validation",),
      lambda app: Rewrite(app, request=truncate_name)),
    M("errors-as-html", "api", "ERR-1", ("validation",),
      lambda app: Rewrite(app, body=html_errors, headers=html_type)),
    M("registry-bad-json-500", "registry", "REG-8", ("registry",),
      lambda app: Rewrite(app, lambda env: env["REQUEST_METHOD"] in ("POST", "PUT"),
                          status=lambda env, s: "500 Internal Server Error"
                          if s.startswith("400") else s)),
    M("registry-default-queued", "registry", "REG-3", ("registry",),
      lambda app: Rewrite(app, request=registry_queued)),
    M("registry-adds-uri", "registry", "REG-10", ("registry",),
      lambda app: Rewrite(app, body=json_edit(each_image(
          lambda i: i.setdefault("uri", "http://localhost/images/%s" % i.get("id")))))),
]
