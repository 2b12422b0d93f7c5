"""The rows of the clause table for discovery and reading Images API v1.

(id, contract section, level, contract text[, note]).  `conformance.clauses`
builds the table from them; the note records how real Glance v1 (Queens)
behaves where it differs from the contract and what was decided, or what the
suite cannot observe.  Sections are those of CONTRACT.md revision 2.
"Real Glance v1" is OpenStack Glance 16.0.0 (Queens) as
`../shared/recipes/reference-glance-v1.sh` runs it.  The registry clauses
(REG-*) are this project's registry contract (§5), not judged against
Glance's own registry.
"""

MUST, SHOULD, EXTENSION = "MUST", "SHOULD", "EXTENSION"
Q = "Real Glance v1"

ROWS = [
    # -- discovery and versions (§2, §6) -------------------------------------
    ("VER-1", "§2", MUST,
     "`GET /versions` → 200 and `GET /` → 300, both with the JSON versions document "
     "`{\"versions\": [{\"id\", \"status\", \"links\": [{\"rel\": \"self\", \"href\"}]}, …]}`."),
    ("VER-2", "§2", MUST,
     "A server that serves v1 answers exactly Glance Queens' document, newest first: "
     "`v2.6` CURRENT, `v2.5` … `v2.0` SUPPORTED (when v2 is served too), then `v1.1` and "
     "`v1.0` DEPRECATED.",
     "Glance 33 serves v2 only and lists `v2.0` … `v2.17` (not newest first); the "
     "contract fixes the whole document only for servers that serve v1; V2-VER-1 "
     "judges a v2-only server's document."),
    ("VER-3", "§2", MUST,
     "A first path segment that starts with `v` and is neither `versions` nor a known "
     "version (`/v1.a/images`, `/va.1/images`, `/v9/images`, `/v1.2/images`, `/v10`), or "
     "`/v2…` while v2 is not served, → 300 with the versions document.",
     "A version the server's own document lists is known: Glance 33 serves `/v2.7` … "
     "`/v2.17`, so the suite does not send it those."),
    ("VER-4", "§2", MUST,
     "Each entry's self link is the absolute `<scheme>://<host>[:port]/v1/` (v1 entries) "
     "or `…/v2/` (v2 entries) of the server that answered."),
    ("VER-5", "§2", MUST,
     "Every v1 route works under `/v1`, `/v1.0` and `/v1.1`."),
    ("VER-6", "§2", MUST, "`GET /v1/versions` → 404."),
    ("VER-7", "§2", MUST,
     "On an unversioned path, `Accept: application/vnd.openstack.images-vN` naming a "
     "version other than 1 or 2 → 300 with the versions document."),
    ("VER-8", "§2", EXTENSION,
     "Every v1 route also works unversioned (`/images…`, as in the founding docs).",
     f"{Q} answered unversioned paths with 300; the founding docs use them."),
    ("VER-9", "§2", EXTENSION,
     "On an unversioned path, `Accept: application/vnd.openstack.images-v1[+json]` (or any "
     "Accept that names no images version) is served by v1.",
     f"{Q} answered every unversioned path with 300, whatever the Accept."),

    # -- JSON, errors, request ids (§2, §6, §9) --------------------------------
    ("JSON-1", "§2", MUST, "JSON answers carry `Content-Type: application/json`."),
    ("JSON-2", "§2", MUST,
     "JSON answers use the separators `\", \"` and `\": \"` (Python's `json.dumps` "
     "defaults: `{\"images\": []}`); Glance's own tests compare bodies byte for byte."),
    ("ERR-1", "§9", MUST,
     "An error answer has a body naming the cause, except for HEAD (no body); where the "
     "contract quotes a message, the clause that quotes it checks that the body contains "
     "it.", "The suite reads the message from the contract's JSON shape when it is there, "
     "else from the whole body."),
    ("ERR-2", "§9", EXTENSION,
     "Every error body is `Content-Type: application/json` "
     "`{\"error\": {\"code\": <status as integer>, \"title\": \"<reason phrase>\", "
     "\"message\": \"<text>\", \"type\": \"<machine.code>\"}}` and nothing else.",
     f"{Q} sent webob's text/plain errors (its flat `{{\"code\": \"400 Bad Request\", "
     "\"message\", \"title\"}` only on `Accept: application/json`); the nested shape is "
     "this project's, parsed by every real client."),
    ("ERR-3", "§9", SHOULD,
     "`type` is lower-case `[a-z0-9_.]+` and the table's value for the cause "
     "(`image.invalid`, `auth.forbidden`, `image.protected`, `image.not_found`, "
     "`image.no_data`, `http.method_not_allowed`, `image.duplicate`, `image.conflict`, "
     "`quota.exceeded`, …).",
     "Judged only on answers in the shape of ERR-2. That a `type` stays the same across "
     "releases cannot be observed."),
    ("REQ-1", "§6", MUST,
     "Every answer of the v1 routes (success, error, HEAD, 204, 405 included) carries "
     "`x-openstack-request-id: req-<uuid4>`, fresh per request."),
    ("REQ-2", "§6", EXTENSION,
     "The versions document answers (200 and 300) carry `x-openstack-request-id` too.",
     f"{Q}'s version filter answered before its request-id middleware ran."),

    # -- the image record (§1, §2) ------------------------------------------------
    ("IMG-1", "§1, §2", MUST,
     "A v1 image (JSON) has `id`, `name`, `disk_format`, `container_format`, `size`, "
     "`virtual_size`, `checksum`, `status`, `is_public`, `protected`, `min_disk`, "
     "`min_ram`, `owner`, `created_at`, `updated_at`, `deleted_at`, `deleted`, "
     "`properties` (string → string), with the types of §1 (null where §1 allows)."),
    ("IMG-2", "§1", MUST,
     "`status` is one of `queued`, `saving`, `active`, `killed`, `deleted`, "
     "`deactivated`, `uploading`, `importing` (never `available`)."),
    ("IMG-3", "§1", EXTENSION,
     "`uri`: the absolute URL of the image on the server that answered, "
     "`<scheme>://<host>[:port][/v1]/images/<id>`.",
     f"{Q} had no `uri` field; the founding docs do."),
    ("IMG-4", "§10 Reading", EXTENSION,
     "`uri` contains `/v1` exactly when the request came under a versioned v1 path."),
    ("IMG-5", "§2", MUST,
     "Timestamps are `YYYY-MM-DDTHH:MM:SS.ffffff` (six digits, UTC, no zone)."),
    ("IMG-6", "§10 Create and update", MUST,
     "At creation `updated_at` is `created_at` or up to a second after it; `updated_at` "
     "changes on every metadata change, status transitions included; reads never change "
     "it.",
     f"{Q} stamped `updated_at` a few microseconds after `created_at`: exact equality is "
     "IMG-12."),
    ("IMG-7", "§1", MUST, "`size`: bytes of image data, 64-bit (images over 4 GiB are "
                          "normal); v1 shows null as `0`."),
    ("IMG-8", "§1", MUST, "`is_public`: boolean, default false."),
    ("IMG-9", "§1, §10 Access", MUST,
     "A non-admin never gets `location` (no header, no JSON key)."),
    ("IMG-10", "§1", MUST,
     "`id` is a string: new images get a random lower-case UUID (`8-4-4-4-12` hex); "
     "migrated revision-1 ids are their decimal strings."),
    ("IMG-11", "§1", MUST, "`checksum`: MD5 hex of the data; null until data is stored."),
    ("IMG-12", "§10 Create and update", EXTENSION,
     "`updated_at` equals `created_at` exactly at creation.",
     f"{Q} stamped `updated_at` microseconds after `created_at`."),
    ("IMG-13", "§10 Create and update", MUST,
     "`created_at` and `updated_at` are never ahead of the clock.",
     "Judged against the server's own `Date` header of the same answer (whole seconds); "
     "without a `Date` header the suite cannot read the server's clock and does not judge."),
    ("IMG-14", "§1, §10 Access", EXTENSION,
     "Admins (every caller in `noauth` mode) get `location` (the JSON key, and the header "
     "when it is not null).", f"{Q} never showed `location` in v1."),
    ("IMG-15", "§1, §2", EXTENSION,
     "A v1 image also carries `uri`, `type`, `store`, `os_hash_algo`, `os_hash_value` and "
     "`status_reason` (JSON; headers when not null).",
     f"{Q} had none of them (`os_hash_*` came with Rocky)."),
    ("IMG-16", "§1", MUST,
     "Defaults of a new image: `protected` false, `min_disk` and `min_ram` 0, `deleted` "
     "false, `deleted_at` null, `virtual_size` null."),
    ("IMG-17", "§1", EXTENSION,
     "After an upload: `virtual_size` equals `size` for `disk_format` `raw`; "
     "`os_hash_algo` names a `hashlib` algorithm and `os_hash_value` is that digest of the "
     "data.", f"{Q} left `virtual_size` null and had no `os_hash_*`."),

    # -- lists (§2, §10 Lists) -----------------------------------------------------
    ("API-LIST-1", "§2", MUST,
     "`GET /v1/images` → 200 `{\"images\": [{id, name, disk_format, container_format, "
     "checksum, size}, …]}`."),
    ("API-LIST-2", "§10 Lists", MUST,
     "Brief entries never carry detail-only core fields (`status`, `location`, `store`, "
     "`owner`, `is_public`, `protected`, `min_disk`, `min_ram`, timestamps, `deleted`, "
     "`properties`); other extras (e.g. `links`) are allowed."),
    ("API-LIST-3", "§2", MUST, "`GET /v1/images/detail` → 200 `{\"images\": [<v1 image>, …]}`."),
    ("API-LIST-4", "§2", MUST, "Lists never show deleted images (except `changes-since`)."),
    ("API-LIST-5", "§2", MUST,
     "By default a list shows the public images, the caller's own and those shared with "
     "it; a caller with no tenant (anonymous, `noauth`) therefore sees exactly the public "
     "images."),
    ("API-LIST-6", "§2", MUST,
     "`is_public` takes `true`, `false`, `none` in any case: `true`/`false` narrow to "
     "public / non-public images the caller may see; `none` gives admins every image and "
     "anyone else its ordinary list (no 403)."),
    ("API-LIST-7", "§2", MUST, "Lists are ordered by `created_at` descending, then `id` "
                               "descending."),
    ("API-LIST-8", "§10 Lists", MUST,
     "`queued` and `active` images are listed; `status=` narrows."),
    ("API-LIST-9", "§10 Lists", EXTENSION,
     "Brief entries also carry `uri` and `type` (founding docs).",
     f"{Q}'s brief entries had six keys."),
    ("API-LIST-10", "§2", MUST, "`HEAD /v1/images/detail` → 405 with `Allow: GET`."),
    ("API-LIST-12", "§10 Lists", EXTENSION,
     "`killed` images are listed too (every non-deleted status is).",
     f"{Q} hid `killed` images from every list but `changes-since`."),
    ("API-LIST-11", "§2", MUST,
     "`changes-since=<ISO 8601>` (detail): the images with `updated_at` strictly after "
     "that time, deleted ones included (`status` `deleted`, `deleted` true); unparsable → "
     "400 \"Unrecognized changes-since value\"."),

    # -- filters, sorting, paging (§2, §10 Lists) --------------------------------------
    ("FLT-1", "§2, §10 Lists", MUST, "`name` matches exactly (not a prefix)."),
    ("FLT-2", "§2, §10 Lists", MUST, "`property-<key>=<value>` matches exactly."),
    ("FLT-3", "§2", MUST,
     "`status`, `disk_format`, `container_format` filters match exactly."),
    ("FLT-4", "§10 Lists", MUST, "`size_min`/`size_max` are inclusive."),
    ("FLT-5", "§2, §10 Lists", MUST,
     "`sort_key` (any core field), `sort_dir` (`asc`/`desc`); the order is total: "
     "(`sort_key`, `created_at`, `id`), all in `sort_dir`."),
    ("FLT-6", "§10 Lists", MUST,
     "400: `sort_dir` other than `asc`/`desc`, an unknown `sort_key` (`properties` is not "
     "sortable), non-integer `size_min`/`size_max`/`min_ram`, `is_public` other than "
     "`true`/`false`/`none`."),
    ("FLT-7", "§2", MUST, "`min_disk`, `min_ram` and `protected` filter the lists."),
    ("FLT-8", "§2", EXTENSION,
     "`type` filters the lists and `uri` sorts as `id` (founding docs' fields)."),
    ("FLT-9", "§10 Lists", EXTENSION,
     "Property filter keys are normalised like header keys (`property-CF-Group` = "
     "`property-cf_group`).", f"{Q} matched the key as written."),
    ("FLT-10", "§10 Lists", EXTENSION, "A non-integer `min_disk` filter → 400.",
     f"{Q} checked `min_ram` but not `min_disk` (an empty list)."),
    ("PAGE-1", "§2, §10 Lists", MUST,
     "`limit` (default 25, max 1000): above 1000 is clamped; `limit=0` gives an empty "
     "list; negative or non-integer → 400."),
    ("PAGE-2", "§2, §10 Lists", MUST,
     "`marker` (the id of the last image of the previous page): the next page starts "
     "strictly after the marker image's position in the order."),
    ("PAGE-3", "§10 Lists", MUST,
     "A visible image excluded by the current filters is still a valid marker."),
    ("PAGE-4", "§10 Lists", MUST,
     "400: a marker that is malformed or names an image missing or invisible to the "
     "caller."),
    ("PAGE-5", "§10 Lists", EXTENSION, "400: a marker naming a deleted image.",
     f"{Q} paged on after a deleted marker (200)."),

    # -- the x-image-meta-* headers (§3) ------------------------------------------------
    ("HDR-1", "§3", MUST,
     "Every core field `f` whose value is not null travels as `x-image-meta-f`, "
     "underscores kept (`x-image-meta-is_public`, `x-image-meta-min_disk`); a null field "
     "is left out (no empty `x-image-meta-checksum`); `size` null is sent as `0`."),
    ("HDR-2", "§3", MUST, "Each property `k` travels as `x-image-meta-property-k`."),
    ("HDR-3", "§3", MUST, "Booleans travel as `True`/`False`, integers as decimal digits."),
    ("HDR-4", "§3", MUST,
     "Strings travel as they are: non-ASCII text sent as UTF-8 bytes comes back in the "
     "headers byte for byte."),
    ("HDR-16", "§3", EXTENSION,
     "Non-ASCII header values are read as UTF-8: the JSON shows the text that was sent.",
     f"{Q} on Python 3 read header bytes as Latin-1: the JSON showed mojibake (the "
     "headers still round-tripped)."),
    ("HDR-5", "§3", MUST,
     "On requests names are case-insensitive and `-` equals `_` (`X-Image-Meta-Disk-Format` "
     "= `x-image-meta-disk_format`); property keys are lower-cased with `-` turned into `_`."),
    ("HDR-6", "§3", MUST,
     "Booleans (`is_public`, `protected`): `true`/`false` in any case; `None` (any case) "
     "and empty are accepted on create as \"not given\". `id` must be a UUID, `size` "
     "decimal digits, else 400."),
    ("HDR-7", "§10 Validation", MUST,
     "An empty `is_public` or `protected` header means \"not given\"."),
    ("HDR-17", "§3", EXTENSION,
     "On update too, `None` and empty booleans mean \"not given\" (the value is kept).",
     f"{Q} read them as false on update."),
    ("HDR-18", "§10 Validation", EXTENSION,
     "An empty `size`, `min_disk` or `min_ram` header means \"not given\"; an empty "
     "property is kept as `\"\"`.",
     f"{Q} answered 500 to the empty integers and stored the empty property as null."),
    ("HDR-8", "§3", MUST, "Headers → record → headers round-trip without loss."),
    ("HDR-9", "§3", MUST, "Leading and trailing whitespace of values is stripped."),
    ("HDR-10", "§10 Reading", EXTENSION, "`x-image-meta-uri` is sent like any core field."),
    ("HDR-11", "§3", EXTENSION,
     "A boolean header other than `true`/`false`/`None`/empty → 400 naming the field.",
     f"{Q} read any other word (`yes`, `1`, a typo) as true or false; a typo must not "
     "silently publish or unprotect an image."),
    ("HDR-12", "§3", MUST,
     "`x-image-meta-checksum` over 32 characters → 400 \"Invalid checksum '<value>': "
     "can't exceed 32 characters\", checked before the body, no record."),
    ("HDR-13", "§3", EXTENSION,
     "A non-hexadecimal `x-image-meta-checksum` → 400 \"… is not hexadecimal\" before the "
     "body.", f"{Q} did not check the digits before the body."),
    ("HDR-14", "§3", MUST,
     "`min_disk`/`min_ram`: 0 … 2^31−1 in decimal, else 400 (over the range: \"'min_disk' "
     "value out of range\")."),
    ("HDR-15", "§3", MUST,
     "An unknown format → 400 containing \"Invalid disk format '<x>'\" / \"Invalid "
     "container format '<x>'\"."),

    # -- HEAD and GET of one image (§2) ---------------------------------------------
    ("API-HEAD-1", "§2", MUST,
     "`HEAD /v1/images/<id>` → 200, metadata as headers (§3), empty body."),
    ("API-HEAD-2", "§2, §10 Reading", MUST,
     "`ETag` is the checksum, sent only when the checksum is known (bare or quoted)."),
    ("API-HEAD-3", "§10 Reading", SHOULD, "`ETag` SHOULD be the quoted MD5 (`\"c2e5…\"`).",
     f"{Q} sent it bare."),
    ("API-HEAD-4", "§2", EXTENSION, "HEAD and GET carry `Location` = the image `uri`.",
     f"{Q} sent no `Location` on HEAD or GET."),
    ("API-GET-1", "§2", MUST,
     "`GET /v1/images/<id>` → 200, the data, `Content-Type: application/octet-stream`, "
     "`Content-Length` = `size`, plus the HEAD headers."),
    ("API-GET-2", "§2, §10 Reading", MUST,
     "GET of an image without data (`queued`, `saving`, `killed`, or `active` without "
     "stored data) → 404."),
    ("API-GET-3", "§1, §10 Validation", MUST,
     "An id that names no image, or is malformed, → 404 on HEAD, GET, PUT and DELETE."),
    ("API-GET-4", "§2", EXTENSION,
     "The 404 for an image without data says the image has no data.",
     f"{Q} said \"Image <id> is not active\" or \"not found\"."),
]
