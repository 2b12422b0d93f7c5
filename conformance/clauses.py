"""The numbered clauses of the Glance contract: the one place that names them.

Each clause has an id (``API-POST-3``), the contract section it comes from,
its level (MUST: a server that does otherwise fails; SHOULD: the suite warns)
and the contract's own words.  Tests name the clauses they check; the level
written here, and nowhere else, decides whether a broken check fails the run
or only warns.  ``python -m conformance.clauses --rst`` prints the table for
the docs; ``--update-docs docs/conformance.rst`` rewrites it in place.
"""

import sys
from dataclasses import dataclass

MUST = "MUST"
SHOULD = "SHOULD"


@dataclass(frozen=True)
class Clause:
    id: str
    section: str
    level: str
    text: str

    @property
    def is_must(self):
        return self.level == MUST


def _table(*rows):
    clauses = {}
    for cid, section, level, text in rows:
        assert cid not in clauses, f"duplicate clause id {cid}"
        assert level in (MUST, SHOULD), cid
        clauses[cid] = Clause(cid, section, level, " ".join(text.split()))
    return clauses


CLAUSES = _table(
    # -- discovery and versions -------------------------------------------
    ("VER-1", "§2", MUST,
     "`GET /` answers 300 and `GET /versions` 200, both with `{\"versions\": [...]}` "
     "holding `{\"id\": \"v1.1\", \"status\": \"DEPRECATED\", \"links\": [...]}` and the "
     "same for `v1.0` (after the v2 entries when v2 is served)."),
    ("VER-2", "§2", MUST,
     "Every route works both unversioned (`/images…`, as in the founding docs) and "
     "under `/v1` (`/v1/images…`)."),
    ("VER-3", "§8 Reading", MUST,
     "Unknown versions (`/v2/...`, `Accept: application/vnd.openstack.images-v2+json`) "
     "→ 300 with the versions document"),
    ("VER-4", "§8 Reading", MUST,
     "each version's `links` holds `{\"rel\": \"self\", \"href\": \"<base>/v1/\"}`."),
    ("VER-5", "§5", MUST,
     "version negotiation: strips `/v1`, answers `/` and `/versions`, maps "
     "`Accept: application/vnd.openstack.images-v1+json`."),
    ("JSON-1", "§2", MUST,
     "JSON responses carry `Content-Type: application/json`."),
    ("ERR-1", "§9", MUST,
     "Errors: `{\"error\": {\"code\": <status as integer>, \"title\": \"<reason phrase>\", "
     "\"message\": \"<human text naming the cause>\", \"type\": \"<stable.machine.code>\"}}` "
     "and no other top-level key, with `Content-Type: application/json`; the conformance "
     "suite checks only that the message names the cause where this contract quotes one."),

    # -- the image record --------------------------------------------------
    ("IMG-1", "§1", MUST,
     "A full image has `id` (integer), `uri` (string), `name`, `type`, `disk_format`, "
     "`container_format`, `checksum`, `store`, `owner` (string or null), `size` "
     "(integer ≥ 0), `status` (string), `is_public`, `deleted` (boolean), `created_at`, "
     "`updated_at`, `deleted_at` (string or null) and `properties` (free-form string → "
     "string pairs)."),
    ("IMG-2", "§1", MUST,
     "`status`: `queued`, `saving`, `active`, `killed` (never the word `available`)."),
    ("IMG-3", "§1", MUST,
     "`uri`: absolute URL of the image on the server that answered: "
     "`<scheme>://<host>[:port][/v1]/images/<id>`."),
    ("IMG-4", "§8 Reading", MUST,
     "`uri` contains `/v1` exactly when the request came under `/v1`."),
    ("IMG-5", "§1", MUST,
     "`created_at`, `updated_at`, `deleted_at`: UTC, `YYYY-MM-DDTHH:MM:SS`."),
    ("IMG-6", "§8 Create and update", MUST,
     "`updated_at` equals `created_at` at creation and changes on every metadata "
     "change, status transitions included; reads never change it."),
    ("IMG-7", "§1", MUST,
     "`size`: bytes of image data; 64-bit (images over 4 GiB are normal)."),
    ("IMG-8", "§1", MUST, "`is_public`: boolean, default false."),
    ("IMG-9", "§1, §8 Access", MUST,
     "`location` is shown only to admins. In `noauth` (development) mode every caller "
     "is an admin, so `location` is shown; a non-admin never gets `location` (no "
     "header, no JSON key)."),
    ("IMG-10", "§1", MUST,
     "`id`: string; new ids are fresh lower-case UUIDs drawn by the registry "
     "(revision 2; migrated revision-1 ids keep their decimal strings)."),
    ("IMG-11", "§1", MUST,
     "`checksum`: MD5 hex of the data; null until data is stored."),

    # -- lists ---------------------------------------------------------------
    ("API-LIST-1", "§2", MUST,
     "`GET /images` → 200 `{\"images\": [{id, uri, name, type, disk_format, "
     "container_format, checksum, size}, …]}`."),
    ("API-LIST-2", "§8 Lists", MUST,
     "Brief entries carry the brief fields and never the detail-only core fields "
     "(`status`, `location`, `store`, `owner`, `is_public`, timestamps, `deleted`, "
     "`properties`); other extras (e.g. `links`) are allowed."),
    ("API-LIST-3", "§2", MUST,
     "`GET /images/detail` → 200 `{\"images\": [<full image>, …]}`."),
    ("API-LIST-4", "§2", MUST,
     "Which images a list shows: never deleted ones."),
    ("API-LIST-5", "§2", MUST,
     "By default the public images plus the private images owned by the caller's "
     "tenant. A caller with no tenant (anonymous, or the development `noauth` mode) "
     "therefore sees exactly the public images."),
    ("API-LIST-6", "§2, §8 Lists", MUST,
     "`is_public=false` lists only private images the caller may see; `is_public=none` "
     "(admins only) lists every image; `is_public=none` from a non-admin → 403."),
    ("API-LIST-7", "§2", MUST,
     "Lists: ordered by `created_at` descending, then `id` descending."),
    ("API-LIST-8", "§8 Lists", MUST,
     "Every non-deleted status is listed; `status=` narrows."),

    # -- filters, sorting, paging ---------------------------------------------
    ("FLT-1", "§2, §8 Lists", MUST,
     "Query parameter `name`: `name` and `property-<key>` filters match exactly."),
    ("FLT-2", "§2, §8 Lists", MUST,
     "`property-<key>=<value>` matches exactly; filter keys are normalised like header "
     "keys."),
    ("FLT-3", "§2", MUST,
     "Query parameters on both lists: `status`, `type`, `disk_format`, "
     "`container_format` (exact match)."),
    ("FLT-4", "§8 Lists", MUST, "`size_min`/`size_max` are inclusive."),
    ("FLT-5", "§2, §8 Lists", MUST,
     "`sort_key` (any core field), `sort_dir` (`asc`/`desc`). The order is total: "
     "(`sort_key`, `created_at`, `id`), all in `sort_dir`; `uri` sorts as `id`."),
    ("FLT-6", "§8 Lists", MUST,
     "Also 400: `sort_dir` other than `asc`/`desc`, an unknown `sort_key` "
     "(`properties` is not sortable), non-integer `size_min`/`size_max`, `is_public` "
     "other than `true`/`false`/`none`."),
    ("PAGE-1", "§2, §8 Lists", MUST,
     "`limit` (default 25, max 1000): `limit` above 1000 is clamped to 1000; `limit=0` "
     "gives an empty list; a negative or non-integer limit → 400."),
    ("PAGE-2", "§2, §8 Lists", MUST,
     "`marker` (the id of the last image of the previous page): the next page starts "
     "strictly after the marker image's position in that order."),
    ("PAGE-3", "§8 Lists", MUST,
     "A visible image excluded by the current filters is still a valid marker."),
    ("PAGE-4", "§2, §8 Lists", MUST,
     "400: a non-integer marker or one naming an image that is missing, deleted or "
     "invisible to the caller."),

    # -- x-image-meta-* headers -----------------------------------------------
    ("HDR-1", "§3", MUST,
     "Every core field `f` is sent as `x-image-meta-f`, underscores kept: "
     "`x-image-meta-is_public`, `x-image-meta-disk_format`, `x-image-meta-created_at`; "
     "a null field is left out (`size` null is sent as `0`)."),
    ("HDR-2", "§3", MUST,
     "Each property `k` is sent as `x-image-meta-property-k`."),
    ("HDR-3", "§3", MUST,
     "Values: null → header left out; booleans → `True`/`False`; integers → decimal digits."),
    ("HDR-4", "§3", MUST,
     "Strings as they are (non-ASCII text travels as UTF-8 bytes and comes back "
     "unchanged)."),
    ("HDR-5", "§3", MUST,
     "On requests, names are case-insensitive and `-` equals `_` "
     "(`X-Image-Meta-Disk-Format` = `x-image-meta-disk_format`); property keys are "
     "lower-cased with `-` turned into `_`."),
    ("HDR-6", "§3", MUST,
     "`is_public`/`deleted`: `true`/`false` in any case; anything else → 400. "
     "`id`/`size`: decimal integers ≥ 0, else 400."),
    ("HDR-7", "§3, §8 Validation", MUST,
     "Empty string → null. For `is_public`, `deleted`, `id`, `size` an empty header "
     "means \"not given\"; for properties, `\"\"` is kept as the empty string."),
    ("HDR-8", "§3", MUST, "Headers → dict → headers must round-trip without loss."),
    ("HDR-9", "§8 Validation", MUST,
     "Leading and trailing whitespace of header values is stripped on input."),
    ("HDR-10", "§8 Reading", MUST,
     "`x-image-meta-uri` is sent like any core field."),

    # -- HEAD and GET of one image -----------------------------------------
    ("API-HEAD-1", "§2", MUST,
     "`HEAD /images/<id>` → 200, metadata as headers (§3), empty body."),
    ("API-HEAD-2", "§2, §8 Reading", MUST,
     "`ETag` = checksum (when known); `ETag` is sent only when the checksum is known; "
     "clients and the conformance suite accept it bare or quoted."),
    ("API-HEAD-3", "§8 Reading", SHOULD,
     "`ETag` SHOULD be the quoted MD5 (`\"c2e5…\"`)."),
    ("API-HEAD-4", "§2", MUST, "`Location` = the image `uri`."),
    ("API-GET-1", "§2", MUST,
     "`GET /images/<id>` → 200, the data, `Content-Type: application/octet-stream`, "
     "`Content-Length` = `size`, plus all HEAD headers."),
    ("API-GET-2", "§2, §8 Reading", MUST,
     "GET of an image with no data (`queued`, `saving`, `killed`) → 404 with a message "
     "saying the image has no data. An `active` image without data (possible through "
     "the registry) answers GET with 404 like a queued one."),
    ("API-GET-3", "§1, §2", MUST,
     "An id naming no image answers 404 on every route (deleted images are invisible "
     "to every route; unknown or deleted id → 404)."),

    # -- create --------------------------------------------------------------
    ("API-POST-1", "§2", MUST,
     "`POST /images` → 201 `{\"image\": <full image>}`, `Location` = image `uri`, `ETag`."),
    ("API-POST-2", "§2, §8 Create and update", MUST,
     "A client's `status`, `checksum`, `created_at`, `updated_at`, `deleted_at`, "
     "`deleted`, `owner`, `uri`, `store` values are not stored as given: fields the "
     "server controls are silently ignored when a client sends them to the API."),
    ("API-POST-3", "§2", MUST,
     "With a body (Content-Length > 0 or chunked): `Content-Type` MUST be "
     "`application/octet-stream`, else 400 (no record left behind)."),
    ("API-POST-4", "§2", MUST,
     "`x-image-meta-store` picks the backend (default from config); unknown → 400."),
    ("API-POST-5", "§2", MUST,
     "The data is streamed to the store while counting bytes and computing MD5. On "
     "success → `active` with the true `size`, `checksum`, `store`, `location`."),
    ("API-POST-6", "§2, §8 Create and update", MUST,
     "If `x-image-meta-size` was sent and differs from the bytes received → 400; the "
     "image is `killed`. A size mismatch always leaves a `killed` record, even when "
     "`Content-Length` already showed it."),
    ("API-POST-7", "§2, §8 Validation", MUST,
     "If `x-image-meta-checksum` was sent and differs → 400; the image is `killed`. "
     "Checksums compare case-insensitively."),
    ("API-POST-8", "§2", MUST,
     "Without a body but with `x-image-meta-location` (http/https only): `active` at "
     "once with the given size."),
    ("API-POST-9", "§2, §8 Create and update", MUST,
     "Neither: `queued`, size 0. Without a body and without a location, "
     "`x-image-meta-size` and `x-image-meta-store` are ignored."),
    ("API-POST-10", "§8 Create and update", MUST,
     "An empty chunked body is an upload of 0 bytes (`active`, size 0, MD5 "
     "`d41d8cd98f00b204e9800998ecf8427e`)."),
    ("API-POST-11", "§1, §8 Validation", MUST,
     "A client MAY choose the id on create (`x-image-meta-id`); a taken id → 409. Ids "
     "are never reused: a soft-deleted image's id is still taken (409)."),
    ("API-POST-12", "§8 Create and update", MUST,
     "Checks that can be made before the body is read (Content-Type, unknown store, a "
     "body together with `x-image-meta-location`, field validation) → 400 and no "
     "record is created."),
    ("API-POST-13", "§8 Create and update", MUST,
     "Failures while or after the body is read (…the client disconnecting…) → the "
     "record exists with status `killed`, no data is kept. A disconnected upload is "
     "`killed` within seconds."),
    ("LOC-1", "§8 Create and update", MUST,
     "Location registration: only `http`/`https` (every other scheme → 400, no record)."),
    ("LOC-2", "§8 Create and update", MUST,
     "Without `x-image-meta-size`, the server learns the size from the origin (HEAD or "
     "the GET response's `Content-Length`); if it cannot, 400."),
    ("LOC-3", "§8 Create and update", MUST,
     "A client checksum sent with a location is ignored (checksum stays null)."),
    ("LOC-4", "§7", MUST,
     "`http`/`https` (read-only: data stays at the given URL and is streamed through)."),

    # -- update -----------------------------------------------------------------
    ("API-PUT-1", "§2", MUST,
     "`PUT /images/<id>` → 200 `{\"image\": <full image>}`, `Location`, `ETag`."),
    ("API-PUT-2", "§2", MUST, "PUT (update): unknown id → 404."),
    ("API-PUT-3", "§2", MUST,
     "Metadata headers update the given fields; the sent properties replace the old set, "
     "unless `x-glance-registry-purge-props: false` or the PUT carries data (then merged: "
     "sent keys set, others kept)."),
    ("API-PUT-4", "§2, §8 Create and update", MUST,
     "With `x-glance-registry-purge-props: true`, empty, `None` or absent the sent set "
     "replaces the old set (case-insensitive; `false` merges; any other value → 400); "
     "with no property headers it clears every property."),
    ("API-PUT-5", "§2", MUST,
     "A body on an image that is not `queued` → 409 \"image data is immutable\"."),
    ("API-PUT-6", "§2", MUST,
     "A body on a `queued` image uploads exactly as POST does."),
    ("API-PUT-7", "§8 Create and update", MUST,
     "On PUT, a location may be registered for a `queued` image (→ `active`); for any "
     "other status → 409 (§8 also lists `location` on PUT of a non-queued image among "
     "the silently ignored fields: the suite accepts either, never a change)."),
    ("API-PUT-8", "§8 Create and update", MUST,
     "Fields the server controls (`checksum`, `size` without data, `store`, `owner`, "
     "`uri`, timestamps, `deleted`, the current `status`) are silently ignored when a "
     "client sends them to the API; a different `status` on PUT → 403 \"Forbidden to "
     "modify 'status' of image.\""),

    # -- delete -----------------------------------------------------------------
    ("API-DEL-1", "§2", MUST,
     "`DELETE /images/<id>` → 200, empty body; the record soft-deleted."),
    ("API-DEL-2", "§1", MUST,
     "`deleted`: soft-delete flag; deleted images are invisible to every route."),
    ("API-DEL-3", "§2", MUST,
     "DELETE: unknown or deleted id → 404; a second DELETE → 404."),

    # -- validation ---------------------------------------------------------------
    ("VAL-1", "§1", MUST,
     "Unknown `status`, `disk_format`, `container_format` or `type` → 400 naming the "
     "bad value."),
    ("VAL-2", "§1, §8 Validation", MUST,
     "If either format is `ami`/`ari`/`aki` both must be equal → 400 \"Invalid mix of "
     "disk and container formats\". The AMI rule is literal: with `disk_format=ami` the "
     "container format must also be `ami` (null is not `ami`)."),
    ("VAL-3", "§1", MUST,
     "Validation (registry, on create and on every update, against the merged record)."),
    ("VAL-4", "§1, §8 Validation", MUST,
     "`name`: free text, ≤ 255 characters; `name` over 255 characters → 400."),
    ("VAL-5", "§8 Validation", MUST,
     "Property keys (after lower-casing) must match `[a-z0-9_.:-]{1,255}`."),
    ("VAL-6", "§8 Validation", MUST,
     "Names and values must not contain control characters (CR, LF, NUL, …) → 400."),
    ("VAL-7", "§8 Validation", MUST, "Integers beyond 2^63−1 → 400."),

    # -- registry -----------------------------------------------------------------
    ("REG-1", "§4", MUST,
     "Registry routes: `GET /images` (brief list), `GET /images/detail`."),
    ("REG-2", "§4", MUST,
     "`GET /images/<id>` → `{\"image\": …}` (any image, public or not, subject to §2 "
     "access rules); unknown id → 404."),
    ("REG-3", "§4", MUST,
     "`POST /images` with `{\"image\": {...}}` → 200 `{\"image\": …}` (status defaults "
     "to `active` when the caller gives none)."),
    ("REG-4", "§4", MUST,
     "`PUT /images/<id>` with `{\"image\": {...}}` (header "
     "`x-glance-registry-purge-props: true` replaces the property set) → 200."),
    ("REG-5", "§4", MUST, "`DELETE /images/<id>` → 200."),
    ("REG-6", "§4", MUST, "Same filters and paging as §2."),
    ("REG-7", "§4", MUST,
     "Validation errors → 400 with the message in the body; taken id → 409; unknown "
     "id → 404."),
    ("REG-8", "§4", MUST,
     "A body that is not valid JSON or not `{\"image\": object}` → 400."),
    ("REG-9", "§8 Create and update", MUST,
     "The registry (a trusted service) accepts `status`, `size`, `checksum`, "
     "`location` and `store`, validated."),
    ("REG-10", "§8 Access and the registry", MUST,
     "The registry omits `uri` (the API adds it) and answers JSON with "
     "`Content-Type: application/json`."),

    # -- auth and access ----------------------------------------------------------
    ("AUTH-1", "§5", MUST,
     "`token`: a token from `X-Auth-Token` is looked up in a tokens file (token → "
     "tenant, roles); a missing or unknown token → 401."),
    ("AUTH-2", "§1, §5", MUST,
     "With a known token the request is served; `owner`: tenant that created it (from "
     "the auth context)."),
    ("ACC-1", "§2 Access", MUST,
     "Private images exist only for their owner and admins (others get 404, not 403)."),
    ("ACC-2", "§2 Access", MUST,
     "Anyone may read public images; only the owner or an admin may change or delete "
     "an image."),
)

# What the suite cannot observe from outside and therefore does not claim to
# check; listed so that the report is honest about its coverage.
NOT_OBSERVABLE = [
    ("§2 DELETE", "the data is removed from its store (if it is in one of ours)"),
    ("§5", "the access log writes one line per request"),
    ("§7", "the file store writes atomically, in fixed-size chunks"),
    ("§8 Access", "the registry trusts context headers only with a valid service token"),
]


def get(cid):
    return CLAUSES[cid]


def rst_table():
    """The clause table as reStructuredText (a list-table)."""
    lines = [".. list-table:: Contract clauses checked by the conformance suite",
             "   :header-rows: 1", "   :widths: 12 14 8 66", "",
             "   * - Clause", "     - Section", "     - Level", "     - Contract text"]
    for c in CLAUSES.values():
        lines += [f"   * - ``{c.id}``", f"     - {c.section}", f"     - {c.level}",
                  f"     - {_rst_text(c.text)}"]
    return "\n".join(lines) + "\n"


def _rst_text(text):
    # Contract text uses markdown `code`; reST wants ``code``.  Escape the
    # backslash-free rest as it is.
    out, inside = [], False
    for part in text.split("`"):
        out.append(("``" + part + "``") if inside and part else part)
        inside = not inside
    return "".join(out)


BEGIN = ".. BEGIN CLAUSE TABLE (generated by python -m conformance.clauses --update-docs)"
END = ".. END CLAUSE TABLE"


def update_docs(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{path}: clause table markers not found")
    new = head + BEGIN + "\n\n" + rst_table() + "\n" + END + tail
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        return True
    return False


if __name__ == "__main__":  # pragma: no cover - tiny CLI
    if sys.argv[1:2] == ["--update-docs"]:
        changed = update_docs(sys.argv[2])
        print("updated" if changed else "up to date")
    else:
        sys.stdout.write(rst_table())
