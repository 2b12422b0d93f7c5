"""The rows of the clause table for the registry (§5) and for auth and access (§1, §6).

The registry clauses are this project's registry contract; the format is
that of `clauses_v1`.
"""

from conformance.clauses_v1 import MUST

ROWS = [
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
