"""Single-fault mutants: WSGI middleware that each breaks exactly one contract clause.

A mutant wraps our API (or registry) app and rewrites one thing on the way
in or out: a status, a header, a JSON field, a query parameter.  The
conformance suite must fail every mutant and name the clause it breaks (a
failure the unmutated server does not have: `test_mutants.py`).  `MUTANTS`
lists them: (name, target app, expected clause, areas to run, factory).
Paths are matched with or without the v1 version segment; ids are strings.
"""

import io
import json
import re
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl

from tests.conformance.rewrite import (Rewrite, drop_env, each_image, has_body, header_map,
                                       json_edit, method_path, query_edit, status_swap)

V1_PREFIX = r"^(/v1(\.[01])?)?"
ONE_IMAGE = re.compile(V1_PREFIX + r"/images/(?!detail/?$)[^/]+/?$")
LISTS = re.compile(V1_PREFIX + r"/images(/detail)?/?$")
MEMBERS = re.compile(V1_PREFIX + r"/images/[^/]+/members/?$")


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
                ghost = self.known.get(iid) or self.known.get(int(iid) if iid.isdigit() else iid)
                if ghost and all(ghost.get("properties", {}).get(k) == v
                                 for k, v in wanted.items()):
                    doc["images"].insert(0, dict(ghost, deleted=True))
        return json.dumps(doc).encode()


def corrupt_marker(pairs):
    """The marker loses its last character (another image, or no image at all)."""
    return [(k, v[:-1] if k == "marker" and len(v) > 1 else v) for k, v in pairs]


def now_stamp(env, status, headers):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time_ns() % 10**6:06d}"
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
    """An AMI-family disk format drags the container format along (so no mix is refused)."""
    disk = env.get("HTTP_X_IMAGE_META_DISK_FORMAT")
    if disk in ("ami", "ari", "aki"):
        env["HTTP_X_IMAGE_META_CONTAINER_FORMAT"] = disk


def chunked_lost(env):
    if env.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        env["wsgi.input"] = io.BytesIO(b"")


def v9_as_v1(env):
    env["PATH_INFO"] = re.sub(r"^/v9(?=/|$)", "/v1", env.get("PATH_INFO", ""))


def registry_queued(env):
    if env["REQUEST_METHOD"] != "POST":
        return
    raw = env["wsgi.input"].read(int(env.get("CONTENT_LENGTH") or 0))
    try:
        doc = json.loads(raw)
        if isinstance(doc.get("image"), dict):
            doc["image"].setdefault("status", "queued")
        raw = json.dumps(doc).encode()
    except (ValueError, AttributeError, RecursionError):
        pass
    env["wsgi.input"], env["CONTENT_LENGTH"] = io.BytesIO(raw), str(len(raw))


def html_errors(env, status, headers, body):
    return b"<html><body><h1>Bad request</h1></body></html>" if status[0] == "4" else body


def html_type(env, status, headers):
    if status[0] != "4":
        return headers
    return [(n, "text/html" if n.lower() == "content-type" else v) for n, v in headers]


def no_error_body(env, status, headers, body):
    return b"" if status[0] == "4" else body


def v1_current(doc):
    for version in doc.get("versions", []):
        if str(version.get("id", "")).startswith("v1"):
            version["status"] = "CURRENT"


def compact(env, status, headers, body):
    if not body or not any(n.lower() == "content-type" and "json" in v for n, v in headers):
        return body
    return json.dumps(json.loads(body), separators=(",", ":")).encode()


def upper_id(image):
    if isinstance(image.get("id"), str):
        image["id"] = image["id"].upper()


def tomorrow(image):
    stamp = image.get("updated_at")
    if isinstance(stamp, str) and len(stamp) >= 10:
        image["updated_at"] = f"{int(stamp[:4]) + 1}{stamp[4:]}"


def bad_min_dropped(env):
    """min_disk/min_ram values outside 0…2^31−1 never reach the app."""
    for key in ("HTTP_X_IMAGE_META_MIN_DISK", "HTTP_X_IMAGE_META_MIN_RAM"):
        value = env.get(key, "0")
        if not (value.isdigit() and int(value) < 2 ** 31):
            env.pop(key, None)


def checksum_cut(env):
    if len(env.get("HTTP_X_IMAGE_META_CHECKSUM", "")) > 32:
        env["HTTP_X_IMAGE_META_CHECKSUM"] = env["HTTP_X_IMAGE_META_CHECKSUM"][:32]


def nobody_shares(doc):
    for member in doc.get("members", []):
        member["can_share"] = False


def killed_hidden(doc):
    if "images" in doc:
        doc["images"] = [i for i in doc["images"] if i.get("status") != "killed"]


def put_only(env):
    return env["REQUEST_METHOD"] == "PUT"


@dataclass
class Mutant:
    name: str
    target: str  # "api" or "registry"
    clause: str
    areas: tuple
    wrap: Callable
    needs: tuple = ()  # other clauses the suite relies on to see this fault


M = Mutant
MUTANTS = [
    M("post-answers-200", "api", "API-POST-1", ("create",),
      lambda app: Rewrite(app, method_path("POST", V1_PREFIX + r"/images/?$"),
                          status=status_swap(201, 200))),
    M("versions-answer-200", "api", "VER-1", ("versions",),
      lambda app: Rewrite(app, status=status_swap(300, 200))),
    M("unknown-version-served", "api", "VER-3", ("versions",),
      lambda app: Rewrite(app, request=v9_as_v1)),
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
      lambda app: Rewrite(app, method_path("GET", V1_PREFIX + r"/images/?$"),
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
      lambda app: Rewrite(app, method_path("POST", V1_PREFIX + r"/images/?$"),
                          request=default_public)),
    M("uri-drops-v1", "api", "IMG-4", ("create",),
      lambda app: Rewrite(app, body=json_edit(each_image(
          lambda i: i.update(uri=i.get("uri", "").replace("/v1/images/", "/images/")))))),
    # The suite knows an admin by its stored x-image-meta-owner (API-POST-14), or by
    # `location`; without the first, a server hiding the second looks like a non-admin.
    M("location-hidden-from-admin", "api", "IMG-14", ("create",),
      lambda app: Rewrite(app, body=json_edit(each_image(lambda i: i.pop("location", None)))),
      needs=("API-POST-14",)),
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
    M("errors-as-html", "api", "ERR-2", ("validation",),
      lambda app: Rewrite(app, body=html_errors, headers=html_type)),
    M("registry-bad-json-500", "registry", "REG-8", ("registry",),
      lambda app: Rewrite(app, lambda env: env["REQUEST_METHOD"] in ("POST", "PUT"),
                          status=lambda env, s: "500 Internal Server Error"
                          if s.startswith("400") else s)),
    M("registry-default-queued", "registry", "REG-3", ("registry",),
      lambda app: Rewrite(app, request=registry_queued)),
    M("errors-without-body", "api", "ERR-1", ("errors",),
      lambda app: Rewrite(app, body=no_error_body)),
    M("request-id-dropped", "api", "REQ-1", ("errors",),
      lambda app: Rewrite(app, headers=header_map(
          lambda n, v: None if n.lower() == "x-openstack-request-id" else (n, v)))),
    M("detail-head-served", "api", "API-LIST-10", ("errors",),
      lambda app: Rewrite(app, method_path("HEAD", V1_PREFIX + r"/images/detail/?$"),
                          status=lambda env, s: "200 OK")),
    M("versions-v1-current", "api", "VER-2", ("versions",),
      lambda app: Rewrite(app, body=json_edit(v1_current))),
    M("json-compact", "api", "JSON-2", ("listing",),
      lambda app: Rewrite(app, lambda env: bool(LISTS.match(env["PATH_INFO"])), body=compact)),
    M("ids-upper-case", "api", "IMG-10", ("create",),
      lambda app: Rewrite(app, method_path("POST", V1_PREFIX + r"/images/?$"),
                          body=json_edit(each_image(upper_id)))),
    M("timestamps-ahead", "api", "IMG-13", ("create",),
      lambda app: Rewrite(app, method_path("POST", V1_PREFIX + r"/images/?$"),
                          body=json_edit(each_image(tomorrow)))),
    M("changes-since-ignored", "api", "API-LIST-11", ("listing",),
      lambda app: Rewrite(app, request=query_edit(
          lambda p: [x for x in p if x[0] != "changes-since"]))),
    M("killed-hidden", "api", "API-LIST-12", ("listing",),
      lambda app: Rewrite(app, lambda env: bool(LISTS.match(env["PATH_INFO"])),
                          body=json_edit(killed_hidden))),
    M("protected-ignored", "api", "API-DEL-4", ("delete",),
      lambda app: Rewrite(app, request=drop_env("HTTP_X_IMAGE_META_PROTECTED"))),
    M("status-change-ignored", "api", "API-PUT-8", ("update",),
      lambda app: Rewrite(app, put_only, request=drop_env("HTTP_X_IMAGE_META_STATUS"))),
    M("min-range-unchecked", "api", "HDR-14", ("headers",),
      lambda app: Rewrite(app, request=bad_min_dropped)),
    M("checksum-length-unchecked", "api", "HDR-12", ("headers",),
      lambda app: Rewrite(app, request=checksum_cut)),
    M("copy-from-ignored", "api", "COPY-3", ("locations",),
      lambda app: Rewrite(app, request=drop_env("HTTP_X_GLANCE_API_COPY_FROM"))),
    M("can-share-lost", "api", "MEM-1", ("members",),
      lambda app: Rewrite(app, method_path("GET", MEMBERS.pattern),
                          body=json_edit(nobody_shares))),
    M("property-quota-400", "api", "QUOTA-1", ("validation",),
      lambda app: Rewrite(app, status=status_swap(413, 400))),
    M("registry-adds-uri", "registry", "REG-10", ("registry",),
      lambda app: Rewrite(app, body=json_edit(each_image(
          lambda i: i.setdefault("uri", "http://localhost/images/%s" % i.get("id")))))),
]
