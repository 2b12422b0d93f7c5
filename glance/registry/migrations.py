"""The registry's schema: the ordered, forward-only steps that lead to it.

`MIGRATIONS[n - 1]` takes a database from schema version n − 1 to n; every
server applies the steps its database lacks when it starts (`db.Database`,
`pg.PostgresDatabase`), and `glance-manage db_sync` does it on demand.  The
statements are written for sqlite; the PostgreSQL layer translates their
types (`pg._ddl`), so both engines run the same history.  A migration is
history: its statements are written out, never derived from today's field
table (a new column or sort key brings a migration of its own).

Sort indexes: one partial index per sort key, in list order (key,
created_at, id), over the live images: every list page is an index range
scan, however deep its marker.  A sort key that may hold NULL is indexed
(and sorted, `listing.order_expression`) as an expression that ranks NULL
first and keeps one type, so that the keyset comparison of the lists works
with plain row values on sqlite and PostgreSQL alike.
"""

# -- revision 1 (integer ids) ------------------------------------------------

_R1_SORT_COLUMNS = ("size", "status", "is_public", "updated_at")
_R1_NULLABLE_SORT_COLUMNS = ("name", "type", "disk_format", "container_format",
                             "checksum", "owner", "store", "location")


def _r1_index(column, expression=None):
    return (f"CREATE INDEX ix_images_{column} ON images "
            f"({expression or column}, created_at, id) WHERE deleted = 0")


def _r1_sort_indexes():
    # Migration 2 first indexed the nullable columns as coalesce(col, 0),
    # which only sqlite accepts; migration 4 holds their portable indexes, so
    # migration 2 makes only the others.  Every database ends up alike.
    statements = [_r1_index(column) for column in _R1_SORT_COLUMNS]
    statements.append(
        "CREATE INDEX ix_images_created_at ON images (created_at, id) WHERE deleted = 0")
    return statements


def _r1_portable_sort_indexes():
    statements = []
    for column in _R1_NULLABLE_SORT_COLUMNS:
        statements.append(f"DROP INDEX IF EXISTS ix_images_{column}")
        statements.append(_r1_index(column, f"coalesce('+' || {column}, '')"))
    return statements


# -- revision 2 (string ids, members, tags, leases) --------------------------

# (index name, the sort expression it orders by), as of migration 5.
R2_SORT_INDEXES = (
    ("name", "coalesce('+' || name, '')"),
    ("type", "coalesce('+' || type, '')"),
    ("disk_format", "coalesce('+' || disk_format, '')"),
    ("container_format", "coalesce('+' || container_format, '')"),
    ("size", "coalesce(size, -1)"),
    ("virtual_size", "coalesce(virtual_size, -1)"),
    ("checksum", "coalesce('+' || checksum, '')"),
    ("store", "coalesce('+' || store, '')"),
    ("location", "coalesce('+' || location, '')"),
    ("status", "status"),
    ("is_public", "(CASE WHEN visibility = 'public' THEN 1 ELSE 0 END)"),
    ("protected", "protected"),
    ("min_disk", "min_disk"),
    ("min_ram", "min_ram"),
    ("owner", "coalesce('+' || owner, '')"),
    ("updated_at", "updated_at"),
    ("visibility", "visibility"),
)

# Revision 1 timestamps have whole seconds; revision 2 keeps microseconds.
_R1_TIME = "CASE WHEN length({0}) = 19 THEN {0} || '.000000' ELSE {0} END"
# Reasons revision 1 wrote named the host and the process (issue 15, item 15).
_R1_REASON = ("CASE WHEN substr(status_reason, 1, 15) = 'saving on node ' THEN NULL "
              "WHEN substr(status_reason, 1, 20) = 'upload interrupted: ' "
              "THEN 'upload interrupted: the server stopped before the upload finished' "
              "ELSE status_reason END")

_R2_IMAGES = """CREATE TABLE images_r2 (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    type TEXT,
    disk_format TEXT,
    container_format TEXT,
    size INTEGER,
    virtual_size INTEGER,
    checksum TEXT,
    os_hash_algo TEXT,
    os_hash_value TEXT,
    store TEXT,
    location TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    visibility TEXT NOT NULL DEFAULT 'shared',
    protected INTEGER NOT NULL DEFAULT 0,
    min_disk INTEGER NOT NULL DEFAULT 0,
    min_ram INTEGER NOT NULL DEFAULT 0,
    os_hidden INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    lease_node TEXT,
    lease_instance TEXT,
    lease_pid INTEGER,
    lease_expires TEXT,
    lease_fallback TEXT
)"""

_R2_COPY_IMAGES = f"""INSERT INTO images_r2 (
    id, name, type, disk_format, container_format, size, checksum, os_hash_algo,
    os_hash_value, store, location, status, status_reason, visibility, owner,
    created_at, updated_at, deleted_at, deleted)
SELECT CAST(id AS VARCHAR), name, type, disk_format, container_format,
    CASE WHEN status IN ('queued', 'saving', 'killed') AND size = 0 THEN NULL ELSE size END,
    checksum, os_hash_algo, os_hash_value, store, location,
    CASE WHEN deleted = 1 THEN 'deleted' ELSE status END,
    {_R1_REASON},
    CASE WHEN is_public = 1 THEN 'public' ELSE 'shared' END,
    owner, {_R1_TIME.format('created_at')}, {_R1_TIME.format('updated_at')},
    {_R1_TIME.format('deleted_at')}, deleted
FROM images"""

_R2_PROPERTIES = """CREATE TABLE image_properties_r2 (
    image_id TEXT NOT NULL REFERENCES images_r2 (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (image_id, key)
) WITHOUT ROWID"""

# Revision 1 allowed ':' in keys, revision 2 does not (a key must be usable
# as a header name): such a key becomes '_', unless the image already has
# that key, which then wins.  (No LIKE: the PostgreSQL layer refuses '%'.)
_R2_COPY_PROPERTIES = [
    "INSERT INTO image_properties_r2 (image_id, key, value) "
    "SELECT CAST(image_id AS VARCHAR), key, value FROM image_properties "
    "WHERE replace(key, ':', '') = key",
    "INSERT INTO image_properties_r2 (image_id, key, value) "
    "SELECT CAST(image_id AS VARCHAR), replace(key, ':', '_'), value "
    "FROM image_properties WHERE replace(key, ':', '') <> key "
    "ON CONFLICT (image_id, key) DO NOTHING",
]

_R2_TAGS = """CREATE TABLE image_tags (
    image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (image_id, tag)
) WITHOUT ROWID"""

_R2_MEMBERS = """CREATE TABLE image_members (
    image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    member TEXT NOT NULL,
    can_share INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (image_id, member)
) WITHOUT ROWID"""


def _r2_indexes():
    statements = [f"CREATE INDEX ix_images_{name} ON images ({expression}, created_at, id) "
                  "WHERE deleted = 0" for name, expression in R2_SORT_INDEXES]
    statements += [
        "CREATE INDEX ix_images_created_at ON images (created_at, id) WHERE deleted = 0",
        # changes-since lists include deleted images: a range of recent changes
        "CREATE INDEX ix_images_changes ON images (updated_at)",
        # the leases of a dead process or node, and those that ran out (the sweep)
        "CREATE INDEX ix_images_lease_node ON images (lease_node) WHERE lease_node IS NOT NULL",
        "CREATE INDEX ix_images_lease_expires ON images (lease_expires) "
        "WHERE lease_expires IS NOT NULL",
        "CREATE INDEX ix_image_properties_key_value ON image_properties (key, value)",
        "CREATE INDEX ix_image_tags_tag ON image_tags (tag, image_id)",
        # "the images shared with T", in lists and on GET /shared-images/T
        "CREATE INDEX ix_image_members_member ON image_members (member, status, image_id)",
    ]
    return statements


def _revision_2():
    """Integer ids become their decimal strings, `is_public` becomes
    `visibility` (true: public, false: shared), timestamps gain
    microseconds, deleted images get status `deleted`, sizes of images
    without data become null; new columns, tags, members, upload leases.

    The new tables are made under other names and filled, the old ones
    dropped (with their indexes), the new renamed into place (the foreign
    key of the properties follows its table on both engines), then the new
    tables and every index made: index and constraint names are the old
    ones, so their old owners must be gone first.
    """
    return [
        _R2_IMAGES,
        _R2_PROPERTIES,
        _R2_COPY_IMAGES,
        *_R2_COPY_PROPERTIES,
        "DROP TABLE image_properties",
        "DROP TABLE images",
        "ALTER TABLE images_r2 RENAME TO images",
        "ALTER TABLE image_properties_r2 RENAME TO image_properties",
        _R2_TAGS,
        _R2_MEMBERS,
        *_r2_indexes(),
    ]


# (description, statements); the position + 1 is the schema version.
MIGRATIONS = [
    ("images and their properties", [
        """CREATE TABLE images (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT,
            type TEXT,
            disk_format TEXT,
            container_format TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            checksum TEXT,
            os_hash_algo TEXT,
            os_hash_value TEXT,
            store TEXT,
            location TEXT,
            status TEXT NOT NULL,
            is_public INTEGER NOT NULL DEFAULT 0,
            owner TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            deleted INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE image_properties (
            image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (image_id, key)
        ) WITHOUT ROWID""",
        "CREATE INDEX ix_image_properties_key_value ON image_properties (key, value)",
    ]),
    ("indexes for every list order", _r1_sort_indexes()),
    ("why an image was killed", [
        "ALTER TABLE images ADD COLUMN status_reason TEXT",
    ]),
    ("list indexes that PostgreSQL accepts too", _r1_portable_sort_indexes()),
    ("revision 2: string ids, visibility, members, tags, upload leases", _revision_2()),
]

LATEST_VERSION = len(MIGRATIONS)
REVISION_1_VERSION = 4      # the last schema of CONTRACT revision 1
