"""The rows of the clause table for Images API v2: discovery, schemas, images, lists, PATCH.

The format is that of `clauses_v1`: (id, contract section, level, contract
text[, note]).  Ids start with ``V2-``.  A note records how real Glance 33
behaves where it differs from the contract and what was decided ("Glance
33" is PyPI's glance 33.0.0 as ``../shared/recipes/glance33.sh`` runs it,
under uWSGI, with an identity filter standing in for keystonemiddleware),
or what the suite cannot observe.  Data, tags, members, import, actions and
access are in `clauses_v2_data`.
"""

from conformance.clauses_v1 import EXTENSION, MUST

G = "Glance 33"

ROWS = [
    # -- discovery (§2, §4, §6) ---------------------------------------------------------
    ("V2-VER-1", "§2", MUST,
     "A server that serves v2 lists it in its versions document: a `v2.N` entry with "
     "status `CURRENT` whose self link is `<base>/v2/`; exactly one entry is `CURRENT`."),
    ("V2-VER-2", "§2", MUST,
     "Every `v2.N` the versions document lists is also a path: `/v2.N/images` serves the "
     "v2 list."),
    ("V2-VER-3", "§2", MUST,
     "On an unversioned path, `Accept: application/vnd.openstack.images-v2` is served by "
     "v2 (`GET /images` answers the v2 list)."),
    ("V2-VER-9", "§2", EXTENSION,
     "The media type with a `+json` suffix (`application/vnd.openstack.images-v2+json`) "
     "is served by v2 as well.", f"{G} answers it with 300, the versions document."),
    ("V2-VER-4", "§4", EXTENSION,
     "`GET /v2` and `GET /v2/` → 200 `{\"version\": {\"id\", \"status\": \"CURRENT\", "
     "\"links\": [{\"rel\": \"self\", \"href\": \"<base>/v2/\"}]}}`, the `CURRENT` entry of "
     "the versions document.",
     f"{G} answers `GET /v2` with 302 to `/v2/`, and `/v2/` with 404; clients read the "
     "versions document instead."),
    ("V2-VER-5", "§4", MUST,
     "A known v2 path with another method → 405 with `Allow` naming the methods "
     "(`DELETE /v2/images` → `Allow: GET, POST`); an unknown path under `/v2` → 404."),
    ("V2-VER-6", "§4", EXTENSION,
     "`GET /v2/tenants` → 403 (lets `openstack` use project ids verbatim without "
     "Keystone).", f"{G} has no such route (404)."),
    ("V2-VER-7", "§6", MUST,
     "Every answer of the v2 routes (200, 201, 202, 204, 4xx, 405 included) carries "
     "`x-openstack-request-id: req-<uuid4>`, fresh per request.",
     "Judged on answers to an accepted token; a 401 is V2-VER-8."),
    ("V2-VER-8", "§6", EXTENSION,
     "A 401 for a missing or unknown token carries `x-openstack-request-id` too.",
     f"{G}'s 401 comes from its context middleware, before a request id exists."),
    ("V2-INFO-1", "§4", MUST,
     "`GET /v2/info/import` → 200 `{\"import-methods\": {\"description\", \"type\": "
     "\"array\", \"value\": [<method>, …]}}`."),
    ("V2-INFO-2", "§4", MUST,
     "`GET /v2/info/stores` → 200 `{\"stores\": [{\"id\", …}, …]}`: at least one store, "
     "exactly one with `\"default\": \"true\"`; `read-only`, where present, is `\"true\"`."),
    ("V2-INFO-3", "§4", EXTENSION,
     "Every store of `/v2/info/stores` carries a `description`.",
     f"{G} shows a store's description only where the operator configured one."),

    # -- schemas (§4) --------------------------------------------------------------------
    ("V2-SCH-1", "§4", MUST,
     "`GET /v2/schemas/image`, `…/images`, `…/member`, `…/members` → 200, JSON objects "
     "with `name` `image`, `images`, `member`, `members` and their `properties`."),
    ("V2-SCH-2", "§4", MUST,
     "The image schema has Glance 33's base properties and types: `id` (string, a UUID "
     "`pattern`), `name` (null/string, `maxLength` 255), `status` (an enum of the nine "
     "statuses), `visibility` (enum `public private shared community`), `protected`, "
     "`os_hidden` (boolean), `checksum` (null/string ≤ 32), `os_hash_algo` (≤ 64), "
     "`os_hash_value` (≤ 128), `owner` (null/string ≤ 255), `size`, `virtual_size` "
     "(null/integer), `container_format`, `disk_format` (null/string, enum = null and "
     "§1's formats), `created_at`, `updated_at`, `self`, `file`, `schema` (string), `tags` "
     "(array of strings ≤ 255), `min_ram`, `min_disk` (integer); `additionalProperties` "
     "`{\"type\": \"string\"}`; links `self`, `enclosure`, `describedby`."),
    ("V2-SCH-3", "§4", MUST,
     "`readOnly` is true for `status`, `checksum`, `os_hash_algo`, `os_hash_value`, "
     "`size`, `virtual_size`, `created_at`, `updated_at`, `self`, `file`, `schema`."),
    ("V2-SCH-4", "§4", MUST,
     "The images schema: `images` an array whose items are the image schema; `first`, "
     "`next`, `schema` strings; links `first`, `next`, `describedby`."),
    ("V2-SCH-5", "§4", MUST,
     "The member schema: `created_at`, `updated_at`, `image_id`, `member_id`, `schema` "
     "strings and `status` (enum `pending accepted rejected`); the members schema: "
     "`members` an array of the member schema, `schema` a string."),
    ("V2-SCH-6", "§4", MUST,
     "Every image the server answers (create, show, PATCH, lists) validates against its "
     "own published image schema, as glanceclient validates each one.",
     "Validated by the suite's own JSON-schema validator (`conformance.jsonschema`), "
     "never the server's code."),
    ("V2-SCH-7", "§4", MUST,
     "Every member the server answers validates against its own member schema."),
    ("V2-SCH-8", "§4", EXTENSION,
     "The image schema's `id` pattern also matches migrated decimal ids (`^[0-9]+$`).",
     f"{G} never had decimal ids: its pattern is the UUID alone."),

    # -- the image JSON (§1, §4) ----------------------------------------------------------
    ("V2-IMG-1", "§4", MUST,
     "Every image carries `id`, `name`, `status`, `visibility`, `protected`, `os_hidden`, "
     "`checksum`, `os_hash_algo`, `os_hash_value`, `owner`, `size`, `virtual_size`, "
     "`container_format`, `disk_format`, `min_disk`, `min_ram`, `tags`, `created_at`, "
     "`updated_at`, `self`, `file` and `schema`; custom properties are top-level string "
     "keys."),
    ("V2-IMG-2", "§4", MUST,
     "No image shows the v1-only or internal fields `location`, `store`, `uri`, "
     "`is_public`, `deleted`, `deleted_at`, `status_reason` or `properties`."),
    ("V2-IMG-3", "§4", MUST, "`created_at` and `updated_at` are `YYYY-MM-DDTHH:MM:SSZ`."),
    ("V2-IMG-4", "§4", MUST,
     "`self` is `/v2/images/<id>`, `file` `/v2/images/<id>/file`, `schema` "
     "`/v2/schemas/image`."),
    ("V2-IMG-5", "§1, §4", MUST,
     "`os_hash_algo` and `os_hash_value` are both null or both set; `tags` holds no "
     "duplicate."),
    ("V2-IMG-6", "§4", EXTENSION,
     "No image shows `stores`, `direct_url` or `locations`.",
     f"{G} shows `stores` when several stores are enabled (the recipe's "
     "`enabled_backends`), `direct_url` and `locations` when the operator enables them; "
     "its schema allows all three, so only this is an extension."),

    # -- lists (§4) ---------------------------------------------------------------------------
    ("V2-LIST-1", "§4", MUST,
     "`GET /v2/images` → 200 `{\"images\": [...], \"first\": \"/v2/images[?…]\", "
     "\"schema\": \"/v2/schemas/images\"[, \"next\": …]}`."),
    ("V2-LIST-2", "§4", MUST,
     "The default list shows the public images, the caller's own, and the `shared` "
     "images it is an `accepted` member of; never a deleted image; `os_hidden` images "
     "only with `os_hidden=true`."),
    ("V2-LIST-3", "§4", MUST,
     "`member_status` (`pending`, `accepted`, `rejected`, `all`) selects the shared "
     "images by the caller's member status; `visibility=community` lists community "
     "images, which the default list leaves out unless owned."),
    ("V2-FLT-1", "§4", MUST,
     "`name`, `status`, `disk_format`, `container_format`, `owner`, `protected`, "
     "`visibility` and any other parameter (a custom property) match exactly."),
    ("V2-FLT-2", "§4", MUST, "`tag` (repeatable): the images carrying every tag given."),
    ("V2-FLT-3", "§4", MUST, "`size_min` and `size_max` are inclusive."),
    ("V2-FLT-4", "§4", MUST,
     "`created_at`/`updated_at` filter as `<op>:<ISO 8601>`, op `gt`, `gte`, `lt`, `lte`, "
     "`eq`, `neq`."),
    ("V2-FLT-5", "§4", MUST,
     "400: `visibility` or `member_status` outside their values, `os_hidden` or "
     "`protected` other than `true`/`false`, a malformed `created_at` filter, a "
     "non-integer `size_min`."),
    ("V2-SORT-1", "§4", MUST, "The default order is `created_at` descending, then `id`."),
    ("V2-SORT-2", "§4", MUST,
     "`sort_key` (repeatable) with `sort_dir` (paired in order), or `sort=k1[:dir],k2…`, "
     "over `name, status, container_format, disk_format, size, id, created_at, "
     "updated_at`; ties are broken by `created_at`, then `id`, in the direction given."),
    ("V2-SORT-3", "§4", MUST,
     "400: an unknown sort key, a `sort_dir` other than `asc`/`desc`, `sort` together "
     "with `sort_key`/`sort_dir`."),
    ("V2-PAGE-1", "§4, §10 Lists", MUST,
     "`limit`: default 25; above 1000 it is clamped (200); `limit=0` gives an empty list "
     "without `next`; negative or non-integer → 400."),
    ("V2-PAGE-2", "§4", MUST,
     "`marker`: the page starts strictly after the marker image; an unknown or malformed "
     "marker → 400; a visible image excluded by the filters is still a valid marker."),
    ("V2-PAGE-3", "§4", MUST,
     "`first` is `/v2/images` with the request's parameters but `marker`; `next` is the "
     "path `/v2/images?<the same parameters>&marker=<last id of the page>`, never an "
     "absolute URL; following `next` lists every image exactly once.",
     "Parameters are compared parsed (their order and percent-encoding may differ)."),
    ("V2-PAGE-4", "§4", MUST, "`next` is present whenever more images remain."),
    ("V2-PAGE-5", "§4", EXTENSION,
     "`next` is absent on the last page (present if and only if more images remain).",
     f"{G} sends `next` whenever a page is full, even when nothing follows (the page it "
     "leads to is empty); glanceclient copes with both."),

    # -- create, show, delete (§4) -------------------------------------------------------
    ("V2-POST-1", "§4", MUST,
     "`POST /v2/images` with a JSON object → 201 with the image: `queued`, `visibility` "
     "`shared` unless given, `owner` the caller's tenant (null without one), `size`, "
     "`virtual_size`, `checksum`, `os_hash_*` null, `protected` and `os_hidden` false, "
     "`min_disk` and `min_ram` 0, `tags` empty."),
    ("V2-POST-2", "§4", MUST,
     "The body's `name`, `visibility`, `protected`, `os_hidden`, `container_format`, "
     "`disk_format`, `min_ram`, `min_disk`, `tags` (duplicates collapse), `id` and custom "
     "properties (string values, `\"\"` and dotted names included) are stored."),
    ("V2-POST-3", "§4", MUST,
     "The 201 carries `OpenStack-image-import-methods`: the methods `/v2/info/import` "
     "lists, comma-separated."),
    ("V2-POST-4", "§4", MUST,
     "Read-only keys (`status`, `checksum`, `size`, `virtual_size`, `created_at`, "
     "`updated_at`, `self`, `file`, `schema`) → 403 \"Attribute '<k>' is read-only.\"; "
     "reserved keys (`location`, `deleted`, `deleted_at`, `os_glance…`) → 403 "
     "\"Attribute '<k>' is reserved.\"; no image is made; `os_hash_algo` and "
     "`os_hash_value` are never stored as sent."),
    ("V2-POST-10", "§4", EXTENSION,
     "`os_hash_algo` and `os_hash_value` on create → 403 \"Attribute '<k>' is "
     "read-only.\" too.",
     f"{G} ignores them on create (201, both null); PATCH refuses them with 403."),
    ("V2-POST-5", "§4, §10 Validation", MUST,
     "Wrong types, bad enums, out-of-range integers and a `name` over 255 characters → "
     "400 naming the attribute; malformed JSON → 400."),
    ("V2-POST-6", "§4, §10 Validation", MUST,
     "A proposed `id` that is not a UUID → 400; a taken one, also by a deleted image, → "
     "409."),
    ("V2-POST-7", "§1, §4", EXTENSION,
     "A proposed upper-case UUID → 400 (ids are lower-case).",
     f"{G} stores the id as sent."),
    ("V2-POST-8", "§10 Validation", EXTENSION,
     "A body that is not a JSON object (an array), or JSON nested too deep to parse, → "
     "400, never 500.", f"{G} answers 500 to both."),
    ("V2-POST-9", "§4", MUST,
     "An admin's `owner` is stored as sent; a non-admin's `visibility: public`, or an "
     "`owner` other than its own tenant, → 403.",
     "Each half is judged when the run has such a caller (the admin capability, a "
     "second non-admin tenant)."),
    ("V2-GET-1", "§4", MUST, "`GET /v2/images/{id}` → 200, the image as it was made."),
    ("V2-GET-2", "§4, §10 Validation", MUST,
     "An unknown or malformed id (`not-a-uuid`) → 404, never 400 (openstacksdk's name "
     "look-ups rely on it)."),
    ("V2-DEL-1", "§4", MUST,
     "`DELETE /v2/images/{id}` → 204; the image is then 404 and gone from the lists; a "
     "second DELETE → 404."),
    ("V2-DEL-2", "§4", MUST,
     "A `protected` image: DELETE → 403 \"… is protected and cannot be deleted\", the "
     "image kept."),

    # -- PATCH (§4) -----------------------------------------------------------------------
    ("V2-PATCH-1", "§4", MUST,
     "`PATCH` with `Content-Type: application/openstack-images-v2.1-json-patch` and "
     "`[{\"op\", \"path\", \"value\"}, …]` → 200 with the image after the change."),
    ("V2-PATCH-2", "§4", MUST,
     "Any other Content-Type → 415 with `Accept-Patch` naming "
     "`application/openstack-images-v2.1-json-patch`; the image unchanged."),
    ("V2-PATCH-3", "§4", MUST,
     "400: a body that is not a JSON array of objects, an `op` other than `add`, "
     "`replace`, `remove`, a `path` that is not `/<name>` (no leading `/`, or deeper), "
     "`add`/`replace` without `value`."),
    ("V2-PATCH-4", "§4", MUST,
     "Paths are JSON pointers: `~1` is `/` and `~0` is `~` (`/a~1b` names `a/b`).",
     "A server may refuse such a property name (ours: §10 Validation); the refusal must "
     "then name the decoded `a/b`."),
    ("V2-PATCH-5", "§4", MUST,
     "A read-only path → 403 \"Attribute '<k>' is read-only.\"; a reserved one → 403 "
     "\"… is reserved.\"."),
    ("V2-PATCH-6", "§4", MUST,
     "`add` sets an attribute or property, replacing an existing one; `replace` or "
     "`remove` of an absent property → 409; `remove` of a property deletes it; `remove` "
     "of a base attribute → 403 \"… may not be removed\"."),
    ("V2-PATCH-7", "§4", MUST, "`/tags` takes the whole list; duplicates collapse."),
    ("V2-PATCH-8", "§4", MUST,
     "Values validate as on create: a bad enum, a wrong type, a negative or over 2^31−1 "
     "`min_ram` → 400."),
    ("V2-PATCH-9", "§4", MUST,
     "The operations apply atomically, in order: when one fails nothing changes."),
    ("V2-PATCH-10", "§4, §10 Create and update", MUST,
     "`updated_at` changes when anything changed.",
     "Timestamps have whole seconds: the suite waits a second before the change."),
    ("V2-PATCH-11", "§4", MUST,
     "`disk_format` or `container_format` of an image that is not `queued` → 403."),
]
