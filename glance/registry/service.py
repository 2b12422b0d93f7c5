"""`ImageRegistry`: image records, who may see and change them, and lists.

This is the registry's logic over its SQL layer (`db.Database`, or
`pg.PostgresDatabase`).  The WSGI app (`server.py`) and the API server
(in-process) call it with the caller's `RequestContext`; `RegistryClient`
offers the same methods over HTTP.  The interface — every method, its
arguments, answers and errors — is documented in `glance/registry/__init__.py`.
Members and tags live in `members.py`, upload leases in `leases.py`.
"""

from glance.common import exception, fields
from glance.registry import db, leases, listing, members, records, validation
from glance.registry.validation import Limits

# Columns a create or update writes (besides id and the registry's own).
_STORED_FIELDS = tuple(name for name in records.COLUMNS
                       if name in validation.WRITABLE_FIELDS and name != "id")
_DEFAULTS = {name: fields.BY_NAME[name].default for name in _STORED_FIELDS}
_LEASE_CLEARED = ", ".join(f"{column} = NULL" for column in leases.COLUMNS)


def trusted(context):
    """May `context` set server-controlled fields?  The API service (with
    the service token, or in-process), or an admin (noauth mode)."""
    return context.is_service or context.is_admin


class ImageRegistry(members.MembersMixin, leases.LeasesMixin):
    """The in-process registry over one database.

    `clock` (a callable returning a naive UTC datetime) is the test seam
    for time; `limits` holds the operator's quotas.
    """

    def __init__(self, database, clock=records.utcnow, limits=Limits()):
        self.db = database
        self.limits = limits
        self._clock = clock

    @classmethod
    def from_conf(cls, conf):
        """The registry of the configured database, migrated to the latest schema."""
        return cls(db.open_database(conf.sql_connection,
                                    pool_size=getattr(conf, "server_threads", None)),
                   limits=Limits.from_conf(conf))

    def close(self):
        self.db.close()

    def _now(self):
        return records.timestamp(self._clock())

    # -- reading -----------------------------------------------------------

    def list_images(self, context, query, detailed=True):
        """One page of the images `query` (a `query.ImageQuery`) shows this
        caller (see `listing.py`).  Invalid for a bad marker or sort key."""
        # Without a marker a page is one statement, like `get_image`'s.
        one_statement = query.marker is None and hasattr(self.db, "snapshot")
        with (self.db.snapshot() if one_statement else self.db.transaction()) as conn:
            return listing.list_page(conn, context, query, detailed)

    def get_image(self, context, image_id):
        """The full image; NotFound when missing, deleted or invisible."""
        image_id = validation.parse_image_id(image_id)
        # One statement for the row, its properties and tags: every HEAD and
        # GET of an image comes here.  `snapshot()` where the engine has it.
        with getattr(self.db, "snapshot", self.db.transaction)() as conn:
            return records.full(records.read(conn, context, image_id), context)

    # -- writing -----------------------------------------------------------

    def create_image(self, context, values):
        """Store a new image, owned by the caller's tenant unless a trusted
        caller names an `owner`.

        Raises Invalid for bad fields, Forbidden for server-controlled fields
        from an untrusted caller, QuotaExceeded over a quota, and Duplicate
        for a taken id (ids of deleted images stay taken).
        """
        changes = validation.image_changes(values, creating=True, trusted=trusted(context))
        properties = changes.pop("properties", {})
        tags = changes.pop("tags", [])
        validation.check_properties_quota(properties, self.limits)
        validation.check_tags_quota(len(tags), self.limits)
        image_id = changes.pop("id", None) or fields.new_image_id()
        record = dict(_DEFAULTS, owner=context.tenant)
        _apply(record, changes, None)
        record["id"] = image_id
        validation.check_record(record)
        now = self._now()
        columns = ["id", "created_at", "updated_at"] + list(_STORED_FIELDS)
        args = [image_id, now, now] + [record[key] for key in _STORED_FIELDS]
        with self.db.transaction(write=True) as conn:
            if conn.execute("SELECT 1 FROM images WHERE id = ?", (image_id,)).fetchone():
                raise exception.Duplicate(f"image id {image_id} is already taken",
                                          image_id=image_id)
            conn.execute(f"INSERT INTO images ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", args)
            _write_properties(conn, image_id, properties)
            _write_tags(conn, image_id, tags)
            return records.full(records.read(conn, None, image_id), context)

    def update_image(self, context, image_id, values, purge_props=False,
                     expected_status=None):
        """Merge `values` into the image; properties are merged too, unless
        `purge_props`, when the sent set replaces them (none sent: none kept).
        `tags`, when sent, replace the tag set.  `is_public` maps onto
        `visibility` (`fields.visibility_for_is_public`) unless `visibility`
        is sent too.  A change of status ends any upload lease.

        Raises NotFound (missing, deleted, invisible), Forbidden (visible
        but not the caller's; server-controlled fields from an untrusted
        caller), Invalid (the merged record breaks a rule), QuotaExceeded
        (the resulting properties or tags), Conflict when `expected_status`
        is given and the image is in another status (checked in the same
        transaction: a compare-and-set).
        """
        image_id = validation.parse_image_id(image_id)
        changes = validation.image_changes(values, creating=False, image_id=image_id,
                                           trusted=trusted(context))
        with self.db.transaction(write=True) as conn:
            row = records.read_writable(conn, context, image_id)
            if expected_status is not None and row["status"] != expected_status:
                raise exception.Conflict(f"image {image_id} is {row['status']}, "
                                         f"not {expected_status}", image_id=image_id)
            return self._update(conn, context, row, changes, purge_props)

    def _update(self, conn, context, row, changes, purge_props=False, end_lease=False):
        """Write `changes` (from `validation.image_changes`) into the image
        `row`, read in this transaction and locked; the image after."""
        image_id = row["id"]
        sent_properties = changes.pop("properties", None)
        tags = changes.pop("tags", None)
        properties = {} if purge_props else dict(row["properties"])
        properties.update(sent_properties or {})
        validation.check_properties_quota(properties, self.limits)
        if tags is not None:
            validation.check_tags_quota(len(tags), self.limits)
        record = {key: row[key] for key in _STORED_FIELDS}
        _apply(record, changes, row)
        record["id"] = image_id
        validation.check_record(record)
        assignments = [f"{key} = ?" for key in _STORED_FIELDS] + ["updated_at = ?"]
        if end_lease or record["status"] != row["status"]:
            assignments.append(_LEASE_CLEARED)
        conn.execute(f"UPDATE images SET {', '.join(assignments)} WHERE id = ?",
                     [record[key] for key in _STORED_FIELDS] + [self._now(), image_id])
        if purge_props or sent_properties:
            conn.execute("DELETE FROM image_properties WHERE image_id = ?", (image_id,))
            _write_properties(conn, image_id, properties)
        if tags is not None:
            conn.execute("DELETE FROM image_tags WHERE image_id = ?", (image_id,))
            _write_tags(conn, image_id, tags)
        return records.full(records.read(conn, None, image_id), context)

    def delete_image(self, context, image_id):
        """Soft-delete: status `deleted`, the record stays (its id stays
        taken) but no route shows it again, except lists of changes.
        NotFound when missing or already deleted, Forbidden when not the
        caller's, Protected (a Forbidden) when `protected`.  The image is
        answered as it was deleted (with its location, for services)."""
        image_id = validation.parse_image_id(image_id)
        with self.db.transaction(write=True) as conn:
            row = records.read_writable(conn, context, image_id)
            if row["protected"]:
                raise exception.Protected(f"Image {image_id} is protected and cannot be "
                                          "deleted", image_id=image_id)
            now = self._now()
            conn.execute(
                "UPDATE images SET deleted = 1, status = 'deleted', deleted_at = ?, "
                f"updated_at = ?, {_LEASE_CLEARED} WHERE id = ?", (now, now, image_id))
            return records.full(records.read(conn, None, image_id, deleted=True), context)


def _apply(record, changes, row):
    """Merge validated `changes` into `record` (a create's defaults, or the
    columns of `row`), with the behaviour of the fields that have one."""
    is_public = changes.pop("is_public", None)
    record.update(changes)
    if "visibility" not in changes and is_public is not None:
        record["visibility"] = fields.visibility_for_is_public(
            is_public, row["visibility"] if row else None)
    # virtual_size: the size of a raw image, set as its data becomes active.
    becoming_active = record["status"] == "active" and (row is None or row["status"] != "active")
    if (becoming_active and "virtual_size" not in changes and record["disk_format"] == "raw"
            and record["size"] is not None):
        record["virtual_size"] = record["size"]


def _write_properties(conn, image_id, properties):
    conn.executemany("INSERT INTO image_properties (image_id, key, value) VALUES (?, ?, ?)",
                     [(image_id, key, value) for key, value in properties.items()])


def _write_tags(conn, image_id, tags):
    conn.executemany("INSERT INTO image_tags (image_id, tag) VALUES (?, ?)",
                     [(image_id, tag) for tag in tags])
