"""Single-fault mutants of our Images API v2: each breaks one v2 clause.

Like `mutants.py` (whose `MUTANTS` ends with these): a `Rewrite` of one
status, header, JSON field, query parameter or request body on the v2
paths, or a route answered without the app.  The suite, run on the
mutant's v2 areas with every extension required, must report the clause.
"""

import io
import json
import re

from tests.conformance.rewrite import (Mutant, Rewrite, answer, drop_env, header_map,
                                       json_body_edit, json_edit, query_edit, status_swap)

LIST = r"^/v2/images/?$"
ONE = r"^/v2/images/[^/]+/?$"
FILE = r"^/v2/images/[^/]+/file$"
STAGE = r"^/v2/images/[^/]+/stage$"
MEMBERS = r"^/v2/images/[^/]+/members/?$"
TAG = r"^/v2/images/[^/]+/tags/"
READ_ONLY = ("status", "checksum", "size", "virtual_size", "created_at", "updated_at", "self",
             "file", "schema")


def path_is(pattern, *methods):
    rx = re.compile(pattern)
    return lambda env: (not methods or env["REQUEST_METHOD"] in methods) and bool(
        rx.match(env.get("PATH_INFO", "")))


def each_v2_image(fn):
    """Apply `fn` to the v2 image of an answer, or to each image of a list."""
    def visit(doc):
        if not isinstance(doc, dict):
            return
        if isinstance(doc.get("images"), list):
            for img in doc["images"]:
                fn(img)
        elif doc.get("schema") == "/v2/schemas/image":
            fn(doc)
    return visit


def v2_json(fn, pattern=r"^/v2/", *methods):
    return lambda app: Rewrite(app, path_is(pattern, *methods), body=json_edit(fn))


# -- edits --------------------------------------------------------------------------------
def absolute_next(doc):
    if "next" in doc:
        doc["next"] = "http://localhost" + doc["next"]


def first_with_marker(env, status, headers, body):
    if not body or "marker=" not in env.get("QUERY_STRING", ""):
        return body
    doc = json.loads(body)
    doc["first"] = "/v2/images?" + env["QUERY_STRING"]
    return json.dumps(doc).encode()


def size_as_string(doc):
    schema = doc.get("properties", {}).get("images", {}).get("items", doc)
    if "size" in schema.get("properties", {}):
        schema["properties"]["size"]["type"] = ["null", "string"]


def member_enum(doc):
    if doc.get("name") == "member":
        doc["properties"]["status"]["enum"].append("all")


def uuid_only_pattern(doc):
    if doc.get("name") == "image":
        doc["properties"]["id"]["pattern"] = "^[0-9a-f-]{36}$"


def no_current_v2(doc):
    for entry in doc.get("versions", []):
        if str(entry.get("id", "")).startswith("v2") and entry.get("status") == "CURRENT":
            entry["status"] = "SUPPORTED"


def every_store_default(doc):
    for store in doc.get("stores", []):
        store["default"] = "true"


def microseconds(img):
    if isinstance(img.get("created_at"), str):
        img["created_at"] = img["created_at"].replace("Z", ".000001Z")


def frozen_updated_at(doc):
    if "created_at" in doc:
        doc["updated_at"] = doc["created_at"]


def accepted_member(doc):
    if doc.get("status") == "pending":
        doc["status"] = "accepted"


def uploading_as_queued(img):
    if img.get("status") == "uploading":
        img["status"] = "queued"


def first_tag_only(pairs):
    seen, out = False, []
    for key, value in pairs:
        if key == "tag":
            if seen:
                continue
            seen = True
        out.append((key, value))
    return out


def truncated_body(env):
    raw = env["wsgi.input"].read(int(env.get("CONTENT_LENGTH") or 0)) \
        if env.get("CONTENT_LENGTH") else env["wsgi.input"].read()
    half = raw[: len(raw) // 2]
    env["wsgi.input"], env["CONTENT_LENGTH"] = io.BytesIO(half), str(len(half))
    env.pop("HTTP_TRANSFER_ENCODING", None)


def short_tag(env):
    head, _, tag = env["PATH_INFO"].partition("/tags/")
    env["PATH_INFO"] = f"{head}/tags/{tag[:255]}"


def several_ranges_refused(env, status):
    return "400 Bad Request" if "," in env.get("HTTP_RANGE", "") else status


class OneOpAtATime:
    """PATCH applied one operation at a time: a failing operation leaves the earlier ones
    applied (no atomicity)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "PATCH":
            return self.app(environ, start_response)
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            ops = json.loads(raw)
        except ValueError:
            ops = None
        if not isinstance(ops, list) or len(ops) < 2:
            environ["wsgi.input"] = io.BytesIO(raw)
            return self.app(environ, start_response)
        result = None
        for op in ops:
            one = json.dumps([op]).encode()
            env = dict(environ, **{"wsgi.input": io.BytesIO(one), "CONTENT_LENGTH": str(len(one))})
            seen = {}

            def capture(status, headers, exc_info=None):
                seen["status"], seen["headers"] = status, headers
            body = b"".join(self.app(env, capture))
            result = (seen["status"], seen["headers"], body)
            if not seen["status"].startswith("2"):
                break
        start_response(result[0], result[1])
        return [result[2]]


class Route:
    """Answer one route with another app (the real route gone missing)."""

    def __init__(self, app, pattern, other):
        self.app, self.rx, self.other = app, re.compile(pattern), other

    def __call__(self, environ, start_response):
        if self.rx.match(environ.get("PATH_INFO", "")):
            return self.other(environ, start_response)
        return self.app(environ, start_response)


M = Mutant
MUTANTS_V2 = [
    M("v2-next-absolute", "api", "V2-PAGE-3", ("v2_paging",), v2_json(absolute_next, LIST)),
    M("v2-next-dropped", "api", "V2-PAGE-4", ("v2_paging",),
      v2_json(lambda d: d.pop("next", None), LIST)),
    M("v2-first-keeps-marker", "api", "V2-PAGE-3", ("v2_paging",),
      lambda app: Rewrite(app, path_is(LIST, "GET"), body=first_with_marker)),
    M("v2-marker-ignored", "api", "V2-PAGE-2", ("v2_paging",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [x for x in p if x[0] != "marker"]))),
    M("v2-sort-dir-ignored", "api", "V2-SORT-2", ("v2_paging",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [x for x in p if x[0] != "sort_dir"]))),
    M("v2-bad-sort-key-ignored", "api", "V2-SORT-3", ("v2_paging",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [x for x in p if not (x[0] == "sort_key" and x[1] == "bogus")]))),
    M("v2-default-limit-100", "api", "V2-PAGE-1", ("v2_paging",),
      lambda app: Rewrite(app, lambda env: path_is(LIST)(env) and "limit=" not in
                          env.get("QUERY_STRING", ""),
                          request=query_edit(lambda p: p + [("limit", "100")]))),
    M("v2-tag-filter-any", "api", "V2-FLT-2", ("v2_listing",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(first_tag_only))),
    M("v2-size-min-exclusive", "api", "V2-FLT-3", ("v2_listing",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [(k, str(int(v) + 1) if k == "size_min" and v.isdigit() else v)
                     for k, v in p]))),
    M("v2-status-filter-ignored", "api", "V2-FLT-1", ("v2_listing",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [x for x in p if x[0] != "status"]))),
    M("v2-time-filter-ignored", "api", "V2-FLT-4", ("v2_listing",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [x for x in p if x[0] not in ("created_at", "updated_at")]))),
    M("v2-os-hidden-filter-ignored", "api", "V2-LIST-2", ("v2_listing",),
      lambda app: Rewrite(app, path_is(LIST), request=query_edit(
          lambda p: [x for x in p if x[0] != "os_hidden"]))),
    M("v2-versions-no-current-v2", "api", "V2-VER-1", ("v2_discovery",),
      lambda app: Rewrite(app, path_is(r"^/versions$"), body=json_edit(no_current_v2))),
    M("v2-405-without-allow", "api", "V2-VER-5", ("v2_discovery",),
      lambda app: Rewrite(app, path_is(r"^/v2/"), headers=header_map(
          lambda n, v: None if n.lower() == "allow" else (n, v)))),
    M("v2-tenants-404", "api", "V2-VER-6", ("v2_discovery",),
      lambda app: Rewrite(app, path_is(r"^/v2/tenants"), status=status_swap(403, 404))),
    M("v2-request-id-dropped", "api", "V2-VER-7", ("v2_discovery",),
      lambda app: Rewrite(app, path_is(r"^/v2/"), headers=header_map(
          lambda n, v: None if n.lower() == "x-openstack-request-id" else (n, v)))),
    M("v2-every-store-default", "api", "V2-INFO-2", ("v2_discovery",),
      v2_json(every_store_default, r"^/v2/info/stores$")),
    M("v2-schema-size-string", "api", "V2-SCH-2", ("v2_discovery",),
      v2_json(size_as_string, r"^/v2/schemas/images?$")),
    M("v2-member-schema-enum", "api", "V2-SCH-5", ("v2_discovery",),
      v2_json(member_enum, r"^/v2/schemas/members?$")),
    M("v2-id-pattern-uuid-only", "api", "V2-SCH-8", ("v2_discovery",),
      v2_json(uuid_only_pattern, r"^/v2/schemas/image$")),
    M("v2-image-without-os-hidden", "api", "V2-IMG-1", ("v2_images",),
      v2_json(each_v2_image(lambda i: i.pop("os_hidden", None)))),
    M("v2-image-shows-location", "api", "V2-IMG-2", ("v2_images",),
      v2_json(each_v2_image(lambda i: i.setdefault("location", "file:///var/images/x")))),
    M("v2-timestamps-microseconds", "api", "V2-IMG-3", ("v2_images",),
      v2_json(each_v2_image(microseconds))),
    M("v2-import-methods-header-dropped", "api", "V2-POST-3", ("v2_images",),
      lambda app: Rewrite(app, path_is(LIST, "POST"), headers=header_map(
          lambda n, v: None if n.lower() == "openstack-image-import-methods" else (n, v)))),
    M("v2-read-only-keys-dropped", "api", "V2-POST-4", ("v2_images",),
      lambda app: Rewrite(app, path_is(LIST, "POST"), request=json_body_edit(
          lambda d: [d.pop(k, None) for k in READ_ONLY]))),
    M("v2-malformed-id-400", "api", "V2-GET-2", ("v2_images",),
      lambda app: Rewrite(app, path_is(ONE, "GET"), status=status_swap(404, 400))),
    M("v2-protected-dropped", "api", "V2-DEL-2", ("v2_images",),
      lambda app: Rewrite(app, path_is(LIST, "POST"), request=json_body_edit(
          lambda d: d.pop("protected", None)))),
    M("v2-patch-not-atomic", "api", "V2-PATCH-9", ("v2_patch",), OneOpAtATime),
    M("v2-accept-patch-dropped", "api", "V2-PATCH-2", ("v2_patch",),
      lambda app: Rewrite(app, path_is(ONE), headers=header_map(
          lambda n, v: None if n.lower() == "accept-patch" else (n, v)))),
    M("v2-updated-at-frozen", "api", "V2-PATCH-10", ("v2_patch",),
      v2_json(frozen_updated_at, ONE, "PATCH")),
    M("v2-upload-any-content-type", "api", "V2-FILE-2", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE, "PUT"), request=lambda env: env.update(
          CONTENT_TYPE="application/octet-stream"))),
    M("v2-upload-to-active-204", "api", "V2-FILE-3", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE, "PUT"), status=status_swap(409, 204))),
    M("v2-file-type-with-charset", "api", "V2-DATA-1", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE, "GET"), headers=header_map(
          lambda n, v: (n, v + "; charset=binary") if n.lower() == "content-type"
          else (n, v)))),
    M("v2-no-data-404", "api", "V2-DATA-2", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE, "GET"), status=status_swap(204, 404))),
    M("v2-range-ignored", "api", "V2-DATA-3", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE), request=drop_env("HTTP_RANGE"))),
    M("v2-416-as-200", "api", "V2-DATA-4", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE), status=status_swap(416, 200))),
    M("v2-416-without-content-range", "api", "V2-DATA-5", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE), headers=lambda env, status, headers: [
          h for h in headers if not (status.startswith("416")
                                     and h[0].lower() == "content-range")])),
    M("v2-several-ranges-400", "api", "V2-DATA-6", ("v2_data",),
      lambda app: Rewrite(app, path_is(FILE), status=several_ranges_refused)),
    M("v2-absent-tag-delete-204", "api", "V2-TAG-1", ("v2_tags",),
      lambda app: Rewrite(app, path_is(TAG, "DELETE"), status=status_swap(404, 204))),
    M("v2-long-tag-truncated", "api", "V2-TAG-2", ("v2_tags",),
      lambda app: Rewrite(app, path_is(TAG, "PUT"), request=short_tag)),
    M("v2-new-member-accepted", "api", "V2-MEM-1", ("v2_members",),
      v2_json(accepted_member, MEMBERS, "POST")),
    M("v2-members-on-private-images", "api", "V2-MEM-2", ("v2_members",),
      lambda app: Rewrite(app, path_is(MEMBERS), status=status_swap(403, 200))),
    M("v2-duplicate-member-200", "api", "V2-MEM-3", ("v2_members",),
      lambda app: Rewrite(app, path_is(MEMBERS, "POST"), status=status_swap(409, 200))),
    M("v2-stage-truncated", "api", "V2-IMP-2", ("v2_import",),
      lambda app: Rewrite(app, path_is(STAGE, "PUT"), request=truncated_body)),
    M("v2-staged-shows-queued", "api", "V2-IMP-1", ("v2_import",),
      v2_json(each_v2_image(uploading_as_queued), ONE, "GET")),
    M("v2-deactivate-ignored", "api", "V2-ACT-1", ("v2_actions",),
      lambda app: Route(app, r"^/v2/images/[^/]+/actions/deactivate$",
                        answer("204 No Content"))),
]
