"""The rows of the clause table for discovery, Images API v1, the registry and auth.

(id, contract section, level, contract text[, note]).  `conformance.clauses`
builds the table from them; the note records how real Glance v1 (Queens)
behaves where it differs from the contract and what was decided, or what the
suite cannot observe.  Sections are those of CONTRACT.md revision 2.
"""

MUST, SHOULD, EXTENSION = "MUST", "SHOULD", "EXTENSION"
Q = "Glance v1 (Queens)"

ROWS = [
    # -- discovery and versions (§2, §6) -------------------------------------
    ("VER-1", "§2", MUST,
     "`GET /versions` → 200 and `GET /` → 300, both with the JSON versions document "
     "`{\"versions\": [{\"id\", \"status\", \"links\": [{\"rel\": \"self\", \"href\"}]}, …]}`, "
     "newest first."),
    ("VER-2", "§2", MUST,
     "The document is exactly Glance Queens': `v2.6` CURRENT, `v2.5` … `v2.0` SUPPORTED "
     "(when v2 is served), then `v1.1` and `v1.0` DEPRECATED (when v1 is served)."),
    ("VER-3", "§2", MUST,
     "A first path segment that starts with `v` and is neither `versions` nor a known "
     "version (`/v1.a/images`, `/va.1/images`, `/v9/images`, `/v1.2/images`, `/v10`), or "
     "`/v2…` while v2 is not served, → 300 with the versions document."),
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
     "`updated_at` equals `created_at` exactly at creation.", f"See IMG-6 ({Q})."),
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

    # -- create (§2 POST, §10) --------------------------------------------------------
    ("API-POST-1", "§2", MUST,
     "`POST /v1/images` → 201 `{\"image\": <v1 image>}`, `Location` = the image's "
     "absolute URL (`<base>/v1/images/<id>` under `/v1`), `ETag` when the checksum is "
     "known."),
    ("API-POST-2", "§2, §10 Create and update", MUST,
     "A client's `status` is not stored as sent; a non-admin's `owner` is ignored."),
    ("API-POST-3", "§2", MUST,
     "With a body (Content-Length > 0 or chunked), `Content-Type` must be "
     "`application/octet-stream`, else 400 and no record."),
    ("API-POST-4", "§2", EXTENSION,
     "`x-image-meta-store` picks the backend (default from config); with data an unknown "
     "store → 400 and no record, without data it is ignored.",
     f"{Q} v1 did not show `store` (the suite reads the backend from it) and refused an "
     "unknown store without data too."),
    ("API-POST-5", "§2", MUST,
     "The data is streamed to the store: the image is `active` with the true `size` and "
     "`checksum`."),
    ("API-POST-6", "§2, §10 Create and update", MUST,
     "`x-image-meta-size` sent and different from the bytes received → 400; the image is "
     "`killed`, also when `Content-Length` already showed it."),
    ("API-POST-7", "§2", MUST,
     "`x-image-meta-checksum` sent and different → 400 and the image is `killed`."),
    ("API-POST-8", "§2", MUST,
     "Without a body but with `x-image-meta-location` (http/https): `active` at once with "
     "the given size."),
    ("API-POST-9", "§2", MUST,
     "Without a body, location or copy-from: `queued`, size 0."),
    ("API-POST-10", "§10 Create and update", MUST,
     "An empty chunked body is an upload of 0 bytes (`active`, size 0, MD5 "
     "`d41d8cd98f00b204e9800998ecf8427e`)."),
    ("API-POST-11", "§2, §10 Validation", MUST,
     "`x-image-meta-id` must be a UUID (else 400); a taken id → 409, also after the image "
     "was deleted (ids are never reused)."),
    ("API-POST-12", "§10 Create and update", MUST,
     "Checks that can be made before the body is read (checksum length, id, field "
     "validation) → 4xx and no record."),
    ("API-POST-13", "§10 Create and update", MUST,
     "An upload whose client goes away leaves a `killed` record without data within "
     "seconds.",
     "Over HTTP the suite cuts its own connection; in-process the input ends early."),
    ("API-POST-14", "§2", MUST, "An admin's `x-image-meta-owner` is stored as sent."),
    ("API-POST-15", "§2", EXTENSION,
     "An upload or a location without `disk_format`/`container_format` is accepted.",
     f"{Q} refused activation without both formats (400 \"Disk format is not "
     "specified.\"); the founding docs upload without them."),
    ("API-POST-16", "§1", EXTENSION,
     "`type` (`machine`, `kernel`, `ramdisk`, `raw`) is a core field: "
     "`x-image-meta-type` is stored and shown.",
     f"{Q} refused the header (400 \"Bad header: x-image-meta-type\")."),
    ("API-POST-17", "§2, §10 Create and update", EXTENSION,
     "A client's `created_at`, `updated_at`, `deleted_at`, `deleted`, `virtual_size` and, "
     "without data, `checksum` and `size` are silently ignored.",
     f"{Q} answered 500 to the timestamps and stored the others as sent (`deleted` true "
     "on a live image)."),
    ("API-POST-19", "§10 Create and update", EXTENSION,
     "A body with the wrong `Content-Type` is refused before any record is made.",
     f"{Q} made the record first (it stays)."),
    ("API-POST-18", "§10 Validation", EXTENSION,
     "Checksums compare case-insensitively (an upper-case MD5 matches).",
     f"{Q} compared them as strings and killed the image."),
    ("LOC-1", "§10 Create and update", MUST,
     "Locations: only `http`/`https` (every other scheme → 400, no record)."),
    ("LOC-2", "§10 Create and update", MUST,
     "Without `x-image-meta-size` the server learns the size from the origin (HEAD or the "
     "GET's `Content-Length`)."),
    ("LOC-3", "§10 Create and update", EXTENSION,
     "A client checksum sent with a location is ignored (checksum stays null).",
     f"{Q} stored it unverified."),
    ("LOC-4", "§8", MUST, "An http(s) location's data is streamed through on GET."),
    ("LOC-5", "§10 Create and update", EXTENSION,
     "A location whose origin gives no size (no `x-image-meta-size`, no `Content-Length`) "
     "→ 400, no record."),
    ("LOC-6", "§10 Create and update", EXTENSION,
     "The location policy: a location or copy-from naming a link-local or metadata "
     "address (`169.254.169.254`) → 400, no record.",
     "Only the refusal is observable: a server that tried the address and failed also "
     "answers 400."),

    # -- copy-from (§2 POST 4) ------------------------------------------------------
    ("COPY-1", "§2", MUST,
     "`x-glance-api-copy-from` with a scheme other than http/https → 400 \"External "
     "sources are not supported: '<URL>'\" and no record."),
    ("COPY-2", "§2", MUST,
     "An origin answering 404 → 404 \"HTTP datastore could not find image at URI.\" and "
     "no record."),
    ("COPY-3", "§2", MUST,
     "Otherwise 201 at once with the image `queued` (or already `saving`/`active`), "
     "`size` from the origin's `Content-Length`; the server then copies the data in the "
     "background: `active` with the origin's bytes and their MD5.",
     "The suite waits up to 30 s for `active`."),
    ("COPY-4", "§2", MUST,
     "A body, `x-image-meta-location` and copy-from exclude each other → 400."),
    ("COPY-5", "§2", MUST,
     "`x-image-meta-checksum` sent and different from the copied data: the image ends "
     "`killed`."),
    ("COPY-6", "§2", MUST,
     "Copy-from on PUT of a `queued` image copies as on POST (200)."),
    ("COPY-7", "§10 Create and update", EXTENSION,
     "Several data sources are refused before any record is made.",
     f"{Q} made the record first (it stays, `queued`)."),
    ("COPY-8", "§2", EXTENSION,
     "A copy whose data differs from the sent `x-image-meta-size` ends `killed`.",
     f"{Q} took the origin's length and activated the image."),

    # -- update (§2 PUT) --------------------------------------------------------------
    ("API-PUT-1", "§2", MUST,
     "`PUT /v1/images/<id>` → 200 `{\"image\": <v1 image>}`, `ETag` when the checksum is "
     "known."),
    ("API-PUT-2", "§2", MUST,
     "Unknown id → 404; a deleted image is refused (4xx) and stays deleted.",
     f"{Q} refused an admin's update of a deleted image with 403 \"Forbidden to update "
     "deleted image.\"; exactly 404 is API-DEL-5."),
    ("API-PUT-3", "§2", MUST,
     "Metadata headers update the given fields; the sent properties replace the old set "
     "(none sent: cleared), unless `x-glance-registry-purge-props: false` or the PUT "
     "carries data (then merged: sent keys set, others kept)."),
    ("API-PUT-4", "§2, §10 Create and update", MUST,
     "`x-glance-registry-purge-props`: `true` (replace) / `false` (merge) in any case."),
    ("API-PUT-5", "§2", MUST,
     "A body on an image that is not `queued` → 409; the data is unchanged."),
    ("API-PUT-6", "§2", MUST,
     "A body on a `queued` image uploads exactly as POST does (a size mismatch kills it)."),
    ("API-PUT-7", "§2", MUST,
     "`x-image-meta-location` on a `queued` image registers it (200, `active`); on any "
     "other status → 400 or 409 \"Attempted to update Location field for an image not in "
     "queued status.\", nothing changed.",
     f"The contract says 409; {Q} answered 400: both are accepted."),
    ("API-PUT-8", "§2, §10 Create and update", MUST,
     "`created_at` and `deleted` from a client are ignored; `x-image-meta-status` equal to "
     "the current status is ignored, a different one → 403 \"Forbidden to modify 'status' "
     "of image.\"."),
    ("API-PUT-9", "§2", EXTENSION, "PUT answers carry `Location` = the image `uri`.",
     f"{Q} sent no `Location` on PUT."),
    ("API-PUT-10", "§2", EXTENSION,
     "Any other `x-glance-registry-purge-props` value → 400, image unchanged.",
     f"{Q} read any other word as true."),
    ("API-PUT-11", "§2", EXTENSION,
     "The 409 for data on a non-`queued` image says \"image data is immutable\".",
     f"{Q} said \"Cannot upload to an unqueued image\"."),
    ("API-PUT-12", "§1, §2", MUST,
     "`protected`, `min_disk` and `min_ram` can be set on create and changed on update."),
    ("API-PUT-13", "§10 Create and update", EXTENSION,
     "An empty or `None` `x-glance-registry-purge-props` counts as absent (replace).",
     f"{Q} merged."),
    ("API-PUT-14", "§10 Create and update", EXTENSION,
     "`checksum` and `size` sent without data to a `queued` image are ignored.",
     f"{Q} stored them."),

    # -- delete (§2 DELETE) ---------------------------------------------------------------
    ("API-DEL-1", "§2", MUST,
     "`DELETE /v1/images/<id>` → 200 with an empty body; the record is soft-deleted."),
    ("API-DEL-2", "§1", MUST,
     "A deleted image leaves every list and its data is gone (GET → 404)."),
    ("API-DEL-3", "§2", MUST, "DELETE of an unknown or deleted id → 404."),
    ("API-DEL-4", "§2", MUST,
     "`protected` → DELETE answers 403 \"Image is protected\"; image and data kept."),
    ("API-DEL-5", "§9, §10 Validation", EXTENSION,
     "A deleted image is 404 to every route for every caller (HEAD, GET, PUT).",
     f"{Q} still showed a deleted image to admins on HEAD (status `deleted`) and refused "
     "their PUT with 403."),

    # -- validation (§1, §10) -----------------------------------------------------------
    ("VAL-1", "§1", MUST,
     "An unknown `disk_format` or `container_format` → 400 naming the bad value."),
    ("VAL-2", "§1", MUST,
     "If either format is `ami`/`ari`/`aki` the two must be equal → 400 \"Invalid mix of "
     "disk and container formats\"."),
    ("VAL-3", "§1", MUST,
     "Validation runs on create and on every update; a refused update changes nothing."),
    ("VAL-4", "§10 Validation", MUST, "`name` over 255 characters → 400."),
    ("VAL-5", "§10 Validation", EXTENSION,
     "Property keys must match `[A-Za-z0-9_.-]{1,255}` → else 400.",
     f"{Q} stored any key. A `:` cannot travel in a header name; the registry area tests "
     "it."),
    ("VAL-6", "§10 Validation", EXTENSION,
     "Names and values with control characters → 400.", f"{Q} stored them."),
    ("VAL-7", "§10 Validation", EXTENSION, "Integers beyond 2^63−1 → 400.",
     f"{Q} answered 500 to an `x-image-meta-size` of 2^63."),
    ("VAL-8", "§10 Validation", EXTENSION,
     "The AMI rule is literal: `disk_format` `ami` with no container format → 400.",
     f"{Q} filled the missing container format in."),
    ("VAL-9", "§1", MUST,
     "Every format of §1 is accepted: disk `ami ari aki vhd vhdx vmdk raw qcow2 vdi iso "
     "ploop`, container `ami ari aki bare ovf ova docker`."),
    ("VAL-10", "§1", EXTENSION,
     "An unknown `type` → 400 naming the value; `machine`, `kernel`, `ramdisk`, `raw` are "
     "accepted."),
    ("VAL-11", "§1", EXTENSION,
     "Validation runs against the merged record: a PUT of one format that breaks the AMI "
     "pairing of the stored other → 400.", f"{Q} checked only the formats sent."),
    ("VAL-12", "§1", EXTENSION, "The container format `compressed` is accepted.",
     f"{Q} did not know it yet (400)."),
    ("QUOTA-1", "§10 Validation", MUST,
     "More properties than `image_property_quota` (default 128) in the resulting set → "
     "413 \"The limit has been exceeded on the number of allowed image properties. "
     "Attempted: N, Maximum: M\"; the image unchanged.",
     "The suite cannot know a server's configured quota: it grows an image to 129 "
     "properties (in requests of under 100 headers) and does not judge a server that "
     "accepts them all (its quota is above the default)."),
    ("QUOTA-2", "§10 Validation", EXTENSION,
     "Keys and values of more than `image_property_bytes_max` (default 64 KiB) UTF-8 bytes "
     "in all → 413; the image unchanged.", f"{Q} had no such cap."),

    # -- members (§2 Members v1) ------------------------------------------------------------
    ("MEM-1", "§2", MUST,
     "`PUT /v1/images/<id>/members/<T>` → 204; `GET …/members` → 200 `{\"members\": "
     "[{\"member_id\": T, \"can_share\": bool}, …]}`; a new member's `can_share` is false "
     "unless the body says true.",
     f"Members on a public image are not refused in v1 ({Q} added them, 204, and its own "
     "tests rely on it); v2 refuses them."),
    ("MEM-2", "§2", MUST,
     "`PUT …/members` with `{\"memberships\": [...]}` → 204 and replaces the set; an "
     "omitted `can_share` keeps the old value (false for a new member)."),
    ("MEM-3", "§2", MUST,
     "`DELETE …/members/<T>` → 204; T not a member → 404."),
    ("MEM-4", "§2", MUST, "`GET …/members/<T>` → 405."),
    ("MEM-5", "§2", MUST,
     "`GET /v1/shared-images/<T>` → 200 `{\"shared_images\": [{\"image_id\", "
     "\"can_share\"}, …]}`: the images shared with T."),
    ("MEM-6", "§2", MUST, "The member routes of an unknown image → 404."),
    ("MEM-7", "§2", MUST,
     "`PUT …/members/<T>` without a body leaves an existing member unchanged."),
    ("MEM-8", "§1, §2", MUST,
     "A member sees a shared image on HEAD, GET and the default list; its PUT and DELETE "
     "→ 403; removing the membership makes the image 404 to it again.",
     "Needs --auth-token and --alt-auth-token (two tenants)."),
    ("MEM-9", "§2", MUST,
     "A caller who can see an image but is neither admin, owner nor a member with "
     "`can_share` → 403 \"No permission to share that image\" on the member routes "
     "that change members.", "Needs --auth-token and --alt-auth-token."),

    # -- the registry (§5) ---------------------------------------------------------------
    ("REG-1", "§5", MUST, "Registry routes: `GET /images` (brief), `GET /images/detail`."),
    ("REG-2", "§5", MUST,
     "`GET /images/<id>` → `{\"image\": …}` subject to the visibility of §1; unknown id "
     "→ 404."),
    ("REG-3", "§5", MUST,
     "`POST /images` with `{\"image\": {...}}` → 200 `{\"image\": …}` (`status` defaults "
     "to `active` when none is given)."),
    ("REG-4", "§5", MUST,
     "`PUT /images/<id>` with `{\"image\": {...}}` → 200; properties merged, replaced with "
     "`x-glance-registry-purge-props: true`."),
    ("REG-5", "§5", MUST, "`DELETE /images/<id>` → 200."),
    ("REG-6", "§5", MUST, "The filters, sorting and paging of §2."),
    ("REG-7", "§5", MUST, "Validation errors → 400; taken id → 409; unknown id → 404."),
    ("REG-8", "§5, §10 Validation", MUST,
     "A body that is not valid JSON or not `{\"image\": object}` → 400."),
    ("REG-9", "§5", MUST,
     "The registry accepts the server-controlled fields (`status`, `size`, `checksum`) "
     "from its callers (the API)."),
    ("REG-10", "§5", MUST,
     "The registry's image JSON has no `uri`; answers are `application/json`."),
    ("REG-11", "§5", MUST,
     "Registry members: `GET /images/<id>/members` → `{\"members\": [{\"member_id\", "
     "\"can_share\", …}]}`, `PUT /images/<id>/members/<T>` → 200, `DELETE` → 204, "
     "`GET /shared-images/<T>`."),
    ("REG-12", "§5, §10 Validation", MUST,
     "JSON bodies with NaN/Infinity or nesting too deep to parse → 400, never 500."),
    ("REG-13", "§5", MUST,
     "The registry's image JSON also carries `visibility`, `os_hidden` and `tags`."),

    # -- auth and access (§1, §6) ------------------------------------------------------------
    ("AUTH-1", "§6", MUST,
     "With auth: a missing or unknown `X-Auth-Token` → 401."),
    ("AUTH-2", "§1, §6", MUST,
     "A known token is served; its images are owned by its tenant."),
    ("ACC-1", "§1", MUST,
     "Another tenant's non-public image does not exist for a caller who is not a member: "
     "404 (never 403), and it is not listed."),
    ("ACC-2", "§1", MUST,
     "Anyone may read public images; only the owner or an admin may change or delete "
     "one (others 403)."),
]
