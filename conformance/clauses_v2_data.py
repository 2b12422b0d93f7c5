"""The rows of the clause table for Images API v2 data, tags, members, import, actions, access.

Format, ids and notes as in `clauses_v2`.
"""

from conformance.clauses_v1 import EXTENSION, MUST
from conformance.clauses_v2 import G

ROWS = [
    # -- upload (§4 PUT …/file) ------------------------------------------------------------
    ("V2-FILE-1", "§4", MUST,
     "`PUT …/file` with `Content-Type: application/octet-stream` → 204; the image is "
     "`active` with the true `size`, `checksum` (MD5), `os_hash_algo` (a `hashlib` "
     "algorithm) and `os_hash_value` (that digest of the data), and `virtual_size` = "
     "`size` for `disk_format` `raw`."),
    ("V2-FILE-2", "§4", MUST,
     "Any other Content-Type → 415, the image unchanged (`queued`)."),
    ("V2-FILE-3", "§1, §4", MUST,
     "Data for an image that is not `queued` → 409, its data unchanged."),
    ("V2-FILE-4", "§4", MUST,
     "A chunked body (`Transfer-Encoding: chunked`, as glanceclient and Nova send) is "
     "stored whole; an empty body makes an `active` image of 0 bytes (MD5 "
     "`d41d8cd98f00b204e9800998ecf8427e`)."),
    ("V2-FILE-5", "§4", EXTENSION,
     "An image without `disk_format` and `container_format` accepts data.",
     f"{G} answers 400 \"Properties disk_format, container_format must be set prior to "
     "saving data.\"; every other upload of the suite names both."),
    ("V2-FILE-6", "§4", EXTENSION,
     "`X-OpenStack-Image-Size` is a hint only: a value other than the data's length is "
     "never an error.", f"{G} answers 400 \"Size mismatch\"."),

    # -- download (§4 GET …/file) ------------------------------------------------------------
    ("V2-DATA-1", "§4", MUST,
     "`GET …/file` of an active image → 200, `Content-Type` exactly "
     "`application/octet-stream`, `Content-Length` = `size`, the data, `Content-MD5` = "
     "the checksum."),
    ("V2-DATA-2", "§4, §10 Reading", MUST,
     "An image without data (`queued`, `uploading`) → 204 with an empty body."),
    ("V2-DATA-3", "§4", MUST,
     "One satisfiable `Range: bytes=a-b` (or `bytes=-n`, `bytes=a-`) → 206, "
     "`Content-Range: bytes a-b/<size>`, exactly those bytes, `Content-MD5` of the whole "
     "image."),
    ("V2-DATA-4", "§4", MUST, "An unsatisfiable range → 416."),
    ("V2-DATA-5", "§4", EXTENSION,
     "The 416 carries `Content-Range: bytes */<size>`.", f"{G} sends no Content-Range."),
    ("V2-DATA-6", "§4", EXTENSION,
     "Several ranges → 200 with the whole image.",
     f"{G} answers 400 \"Requests with multiple ranges are not supported in Glance.\"."),

    # -- tags (§4) ---------------------------------------------------------------------------
    ("V2-TAG-1", "§4", MUST,
     "`PUT …/tags/{tag}` → 204 and the image carries the tag; again → 204, still once; "
     "`DELETE` → 204 and it is gone; `DELETE` of an absent tag → 404; the tags of an "
     "unknown image → 404."),
    ("V2-TAG-2", "§4", MUST, "A tag over 255 characters → 400."),
    ("V2-TAG-3", "§4", EXTENSION, "A tag with control characters → 400.",
     f"{G} stores it."),
    ("V2-TAG-4", "§4", MUST,
     "More than `image_tag_quota` (default 128) tags, at creation or by PATCH → 413, the "
     "image unchanged.",
     "The suite cannot know a server's quota: a server that accepts 129 tags is not "
     "judged (its quota is above the default)."),

    # -- members (§4 Members v2) ----------------------------------------------------------
    ("V2-MEM-1", "§4", MUST,
     "`POST …/members` `{\"member\": T}` → 200, the member `{\"image_id\", \"member_id\": "
     "T, \"status\": \"pending\", \"created_at\", \"updated_at\", \"schema\": "
     "\"/v2/schemas/member\"}`; `GET …/members` → `{\"members\": [...], \"schema\": "
     "\"/v2/schemas/members\"}`; `GET …/members/T` → the member."),
    ("V2-MEM-2", "§4", MUST,
     "Only `shared` images have members: POST and GET of `…/members` on a `private` or "
     "`public` image → 403."),
    ("V2-MEM-3", "§4", MUST,
     "The same member again → 409; a body without a non-empty `member` → 400."),
    ("V2-MEM-4", "§4", EXTENSION, "A `member` that is not a string → 400.",
     f"{G} stores a number as the member id."),
    ("V2-MEM-5", "§4", MUST,
     "GET or DELETE of a tenant that is not a member → 404; DELETE of a member → 204 and "
     "it is gone."),
    ("V2-MEM-6", "§1, §4", MUST,
     "The member sees the image whatever its status and lists only itself; it sets its "
     "own status (`PUT …/members/T` `{\"status\": \"accepted\"}` → 200; outside the enum "
     "→ 400); its PATCH, DELETE and member changes → 403.",
     "Needs --auth-token and --alt-auth-token (two tenants)."),
    ("V2-MEM-7", "§4", MUST,
     "The member's default list shows the image once `accepted`; `member_status=pending` "
     "shows it before.", "Needs two tenants."),
    ("V2-MEM-8", "§1, §4", MUST,
     "A non-admin owner may not set its member's status (403); removing the membership "
     "makes the image 404 to the former member.", "Needs two tenants."),

    # -- import (§4 Import) ---------------------------------------------------------------
    ("V2-IMP-1", "§4", MUST,
     "`PUT …/stage` (octet-stream) → 204 and the image is `uploading`; another "
     "Content-Type → 415; an image that is not `queued` → 409.",
     "Judged where `/v2/info/import` lists `glance-direct`."),
    ("V2-IMP-2", "§4", MUST,
     "`POST …/import` `{\"method\": {\"name\": \"glance-direct\"}}` on an `uploading` "
     "image → 202; the image becomes `active` with the staged data, its size and MD5.",
     "The suite waits up to 60 s."),
    ("V2-IMP-3", "§4", MUST,
     "glance-direct on an image that is not `uploading` → 409; web-download on one that "
     "is not `queued` → 409; an unknown method → 400."),
    ("V2-IMP-4", "§4", MUST,
     "web-download without `uri`, or with a scheme other than http/https → 400.",
     "Judged where `/v2/info/import` lists `web-download`."),
    ("V2-IMP-5", "§4", MUST,
     "web-download from a reachable http origin → 202; the image becomes `active` with "
     "the origin's bytes and their MD5.",
     "Judged where the server reaches the suite's origin (capability "
     "`v2-web-download-origin`)."),
    ("V2-IMP-6", "§4", EXTENSION,
     "web-download takes `validation_data` `{\"os_hash_algo\": \"sha256\", "
     "\"os_hash_value\"}` (beside `method` in the body): matching data is imported, a mismatch fails the import (the "
     "image back to `queued`, no data); another algorithm → 400.",
     f"{G} ignores `validation_data` on web-download (it checks it only for locations)."),
    ("V2-IMP-7", "§4, §10 Create and update", EXTENSION,
     "A web-download URI naming a link-local or metadata address (`169.254.169.254`) → "
     "400.",
     f"{G}'s default import filter lets any host through on ports 80 and 443; the "
     "published run's filter allows only 127.0.0.1."),

    # -- deactivate, reactivate (§4) ------------------------------------------------------
    ("V2-ACT-1", "§4", MUST,
     "An admin's `POST …/actions/deactivate` of an active image → 204, `deactivated`; "
     "`…/reactivate` → 204, `active`; repeating either → 204."),
    ("V2-ACT-2", "§4", MUST,
     "Deactivating or reactivating a `queued` image → 400 (the contract) or 403 "
     "(Glance 33): both accepted.", f"{G} answers 403."),
    ("V2-ACT-3", "§4", MUST,
     "A deactivated image's data: a non-admin gets 403, an admin 200.",
     "Needs two tenants (the non-admin must see the image)."),
    ("V2-ACT-4", "§4", MUST,
     "A non-admin who does not own the image → 403 on deactivate and reactivate.",
     "Needs two tenants."),
    ("V2-ACT-5", "§4", EXTENSION,
     "A non-admin owner may not deactivate its own image (403: admins only).",
     f"{G}'s default policy lets the owner deactivate and reactivate."),

    # -- access (§1, §6) ----------------------------------------------------------------------
    ("V2-ACC-1", "§1", MUST,
     "Another tenant's private image, or a shared one it is not a member of, does not "
     "exist for a non-admin: 404 on GET, PATCH, DELETE, `GET …/file`, tags and members, "
     "and it is never listed.", "Needs two tenants."),
    ("V2-ACC-2", "§1, §4", MUST,
     "A public image: another tenant reads it and its data; its PATCH, DELETE, upload, "
     "stage and tag changes → 403.", "Needs two tenants and a caller that may publish."),
    ("V2-ACC-3", "§1", MUST,
     "An admin sees every image: another tenant's private image → 200.",
     "Needs an admin and a second tenant."),
]
