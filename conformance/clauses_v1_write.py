"""The rows of the clause table for changing images through Images API v1.

Create, locations, copy-from, update, delete, validation, quotas and members
(§1, §2, §3, §10); the format and the notes are those of `clauses_v1`.
"""

from conformance.clauses_v1 import EXTENSION, MUST, Q

ROWS = [
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
]
