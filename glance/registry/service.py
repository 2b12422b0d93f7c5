"""`ImageRegistry`: image metadata, who may see and change it, and lists.

This is the registry's logic over the sqlite layer.  The WSGI app
(`server.py`) and the API server (in-process) call it with the caller's
`RequestContext`; `RegistryClient` offers the same five methods over HTTP.
"""

import functools
import json
from datetime import datetime, timedelta, timezone

from glance.common import exception, fields
from glance.registry import db, validation

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"

# All from the field table (`glance.common.fields`), in its order.
FULL_FIELDS = fields.names(fields.DETAIL | fields.COLUMN)
BRIEF_FIELDS = fields.names(fields.BRIEF | fields.COLUMN)
_SHOWN_IF_SET = fields.names(fields.IF_SET | fields.COLUMN)
_BOOLEANS = fields.names(fields.DETAIL | fields.COLUMN, kind=fields.BOOL)
_ADMIN_ONLY = fields.names(fields.ADMIN)
# Columns a create or update writes (besides id and the registry's own).
_STORED_FIELDS = tuple(name for name in fields.names(fields.COLUMN)
                       if name in validation.WRITABLE_FIELDS and name != "id")
_DEFAULTS = {name: fields.BY_NAME[name].default for name in _STORED_FIELDS}
_RECORD_FIELDS = fields.names(fields.COLUMN)


@functools.cache
def _record_sql(dialect, properties=False):
    """The select list of an image record: ONE column, a JSON array of its
    fields (and, with `properties`, a last element: its properties).

    Python 3.11's sqlite3 hands the GIL over around every column of every
    row it returns; under sixteen busy connections each hand-over is a
    context switch or two, and a HEAD read ~60 columns (one row per
    property).  One column per image: one hand-over, the JSON parsed in C.
    """
    columns = list(_RECORD_FIELDS) + ([dialect.json_properties] if properties else [])
    return f"{dialect.json_array}({', '.join(columns)})"


def _record(packed, properties=False):
    """The dict of a packed record (`_record_sql`); with `properties`, also
    the image's properties, sorted by key.  (pg8000 parses JSON itself.)"""
    values = json.loads(packed) if isinstance(packed, str) else packed
    record = dict(zip(_RECORD_FIELDS, values))
    if properties:
        record["properties"] = dict(sorted((values[-1] or {}).items()))
    return record


def utcnow():
    """Now, as a naive UTC datetime to the second (the stored precision)."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class ImageRegistry:
    """The in-process registry over one `db.Database`.

    `clock` (a callable returning a naive UTC datetime) is the test seam
    for time.
    """

    def __init__(self, database, clock=utcnow):
        self.db = database
        self._clock = clock

    @classmethod
    def from_conf(cls, conf):
        """The registry of the configured database, migrated to the latest schema."""
        return cls(db.open_database(conf.sql_connection,
                                    pool_size=getattr(conf, "server_threads", None)))

    def close(self):
        self.db.close()

    # -- reading -----------------------------------------------------------

    def list_images(self, context, params, detailed):
        """The images a list request shows (CONTRACT §2, §8 Lists).

        Raises Invalid for a bad parameter, Forbidden for is_public=none
        from a non-admin.
        """
        query = validation.parse_list_params(params, context.is_admin)
        with self.db.transaction() as conn:
            position = None
            if query.marker is not None:
                position = self._marker_position(conn, context, query)
            if query.limit == 0:
                return []
            sql, args = _list_sql(context, query, position, conn.dialect, detailed)
            rows = conn.execute(sql, args).fetchall()
        records = [_record(row[0], properties=detailed) for row in rows]
        if not detailed:
            return [{key: record[key] for key in BRIEF_FIELDS} for record in records]
        return [_full(record, context) for record in records]

    def get_image(self, context, image_id):
        """The full image; NotFound when missing, deleted or invisible."""
        image_id = validation.parse_image_id(image_id)
        # One statement for the row and its properties: every HEAD and GET
        # of an image comes here.  `snapshot()` where the engine has it (sqlite).
        with getattr(self.db, "snapshot", self.db.transaction)() as conn:
            rows = conn.execute(f"SELECT {_record_sql(conn.dialect, properties=True)} "
                                "FROM images WHERE id = ? AND deleted = 0",
                                (image_id,)).fetchall()
        record = _record(rows[0][0], properties=True) if rows else None
        if record is None or not _may_see(context, record):
            raise exception.NotFound(f"no such image: {image_id}", image_id=image_id)
        return _full(record, context)

    # -- writing -----------------------------------------------------------

    def create_image(self, context, values):
        """Store a new image owned by the caller's tenant.

        Raises Invalid for bad fields and Duplicate for a taken id (ids of
        deleted images stay taken).
        """
        changes = validation.image_changes(values, creating=True)
        properties = changes.pop("properties", {})
        now = self._clock().strftime(TIME_FORMAT)
        record = dict(_DEFAULTS)
        record.update(changes)
        validation.check_record(record)
        columns = ["owner", "created_at", "updated_at"] + list(_STORED_FIELDS)
        args = [context.tenant, now, now] + [record[key] for key in _STORED_FIELDS]
        if "id" in record:
            columns.insert(0, "id")
            args.insert(0, record["id"])
        with self.db.transaction(write=True) as conn:
            dialect = conn.dialect
            if dialect.create_lock:
                conn.execute(dialect.create_lock)
            if "id" in record and conn.execute(
                    "SELECT 1 FROM images WHERE id = ?", (record["id"],)).fetchone():
                raise exception.Duplicate(f"image id {record['id']} is already taken",
                                          image_id=record["id"])
            if "id" not in record and conn.execute(
                    dialect.ids_exhausted, (fields.MAX_INT,)).fetchone():
                # A client chose the largest id: there is none left to assign.
                raise exception.Conflict("no image ids are left to assign; choose one")
            image_id = conn.execute(
                f"INSERT INTO images ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) RETURNING id", args).fetchall()[0][0]
            if "id" in record and dialect.after_chosen_id:
                conn.execute(dialect.after_chosen_id)
            conn.executemany(
                "INSERT INTO image_properties (image_id, key, value) VALUES (?, ?, ?)",
                [(image_id, key, value) for key, value in properties.items()])
            record = _row(conn, image_id)
        record["properties"] = properties
        return _full(record, context)

    def update_image(self, context, image_id, values, purge_props=False,
                     expected_status=None):
        """Merge `values` into the image; properties are merged too, unless
        `purge_props`, when the sent set replaces them (none sent: none kept).

        Raises NotFound (missing, deleted, invisible), Forbidden (visible
        but not the caller's), Invalid (the merged record breaks a rule),
        Conflict when `expected_status` is given and the image is in another
        status (checked in the same transaction: a compare-and-set).
        """
        image_id = validation.parse_image_id(image_id)
        changes = validation.image_changes(values, creating=False, image_id=image_id)
        sent_properties = changes.pop("properties", None)
        with self.db.transaction(write=True) as conn:
            row = _writable_row(conn, context, image_id)
            if expected_status is not None and row["status"] != expected_status:
                raise exception.Conflict(f"image {image_id} is {row['status']}, "
                                         f"not {expected_status}", image_id=image_id)
            record = {key: row[key] for key in _STORED_FIELDS}
            record.update(changes)
            record["id"] = image_id
            validation.check_record(record)
            updated_at = self._next_update(row["updated_at"])
            assignments = ", ".join(f"{key} = ?" for key in _STORED_FIELDS)
            conn.execute(f"UPDATE images SET {assignments}, updated_at = ? WHERE id = ?",
                         [record[key] for key in _STORED_FIELDS] + [updated_at, image_id])
            if purge_props:
                conn.execute("DELETE FROM image_properties WHERE image_id = ?", (image_id,))
            conn.executemany(
                "INSERT INTO image_properties (image_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (image_id, key) DO UPDATE SET value = excluded.value",
                [(image_id, key, value) for key, value in (sent_properties or {}).items()])
            record = _row(conn, image_id, properties=True)
            validation.check_property_count(len(record["properties"]))  # rolls back when over
            return _full(record, context)

    def delete_image(self, context, image_id):
        """Soft-delete: the record stays (its id stays taken) but no route
        shows it again.  NotFound when missing or already deleted."""
        image_id = validation.parse_image_id(image_id)
        with self.db.transaction(write=True) as conn:
            row = _writable_row(conn, context, image_id)
            now = self._next_update(row["updated_at"])
            conn.execute(
                "UPDATE images SET deleted = 1, deleted_at = ?, updated_at = ? WHERE id = ?",
                (now, now, image_id))
            return _full(_row(conn, image_id, deleted=True, properties=True), context)

    def kill_saving_images(self, reason):
        """Move every `saving` image to `killed` (their uploads died with the
        server); store `reason`; return their ids."""
        with self.db.transaction(write=True) as conn:
            rows = conn.execute(
                "SELECT id, updated_at FROM images WHERE status = 'saving' AND deleted = 0 "
                "ORDER BY id").fetchall()
            conn.executemany(
                "UPDATE images SET status = 'killed', status_reason = ?, updated_at = ? "
                "WHERE id = ?",
                [(reason, self._next_update(row["updated_at"]), row["id"]) for row in rows])
        return [row["id"] for row in rows]

    def _next_update(self, previous):
        """A new updated_at: now, but always later than the previous one, so
        that every change shows even within the same second."""
        now = self._clock()
        floor = datetime.strptime(previous, TIME_FORMAT) + timedelta(seconds=1)
        return max(now, floor).strftime(TIME_FORMAT)

    def _marker_position(self, conn, context, query):
        """The marker image's values of the list order; Invalid when it is
        missing, deleted or invisible to the caller."""
        try:
            row = _visible_row(conn, context, query.marker)
        except exception.NotFound:
            raise exception.Invalid(f"marker {query.marker} is not an image you can see") from None
        columns = _order_columns(query.sort_key)
        return conn.execute(f"SELECT {', '.join(columns)} FROM images WHERE id = ?",
                            (row["id"],)).fetchone()


def _row(conn, image_id, deleted=False, lock=False, properties=False):
    """The image's record (a dict), or None."""
    # `lock`: the row is about to change; engines with row locks take it now.
    row = conn.execute(f"SELECT {_record_sql(conn.dialect, properties)} FROM images "
                       "WHERE id = ? AND deleted = ?" + (conn.dialect.for_update if lock else ""),
                       (image_id, int(deleted))).fetchone()
    return None if row is None else _record(row[0], properties)


def _may_see(context, row):
    return (context.is_admin or bool(row["is_public"])
            or (context.tenant is not None and row["owner"] == context.tenant))


def _visible_row(conn, context, image_id, lock=False):
    row = _row(conn, image_id, lock=lock)
    if row is None or not _may_see(context, row):
        raise exception.NotFound(f"no such image: {image_id}", image_id=image_id)
    return row


def _writable_row(conn, context, image_id):
    row = _visible_row(conn, context, image_id, lock=True)
    if not (context.is_admin or (context.tenant is not None and row["owner"] == context.tenant)):
        raise exception.Forbidden(
            f"image {image_id} belongs to another tenant; only its owner or an admin may change it",
            image_id=image_id)
    return row


def _full(record, context):
    """The image as the registry answers it; `record` carries its properties."""
    image = {key: record[key] for key in FULL_FIELDS}
    for key in _BOOLEANS:
        image[key] = bool(image[key])
    for key in _SHOWN_IF_SET:
        if record[key] is not None:
            image[key] = record[key]
    image["properties"] = dict(record["properties"])
    if not context.sees_location:
        for key in _ADMIN_ONLY:
            image.pop(key, None)
    return image


def _order_columns(sort_key):
    """The list order's expressions: (sort key, created_at, id) without repeats."""
    if sort_key == "id":
        return ["id"]     # unique: nothing left to break ties
    columns = [db.sort_expression(sort_key)]
    for column in ("created_at", "id"):
        if column not in columns:
            columns.append(column)
    return columns


def _visibility(context, is_public):
    """The WHERE term and arguments of "which images a list shows"."""
    if is_public == "none":
        return None, []
    if is_public == "true":
        return "is_public = 1", []
    if is_public == "false":
        if context.is_admin:
            return "is_public = 0", []
        return "is_public = 0 AND owner = ?", [context.tenant]   # NULL tenant: nothing
    if context.tenant is None:
        return "is_public = 1", []
    return "(is_public = 1 OR owner = ?)", [context.tenant]


def _row_by_row(column, sort_key):
    """`column` as a list's WHERE term names it: as it is when it is the sort
    key, else as an expression no index answers (`+ 0`, `|| ''`, on sqlite
    and PostgreSQL alike).  Then the sort key's index drives every page, and
    the filter is checked row by row; without statistics sqlite would pick
    the filter's index instead (is_public has two values) and sort all the
    images it matches, for every page."""
    if column == sort_key:
        return column
    return f"{column} + 0" if fields.BY_NAME[column].numeric else f"{column} || ''"


def _list_sql(context, query, position, dialect=db.SQLITE, properties=False):
    """One parameterised SELECT for a list page (packed records, see
    `_record_sql`); column names come only from the registry's own tables,
    values only as parameters."""
    # `deleted = 0` is literal so that the partial indexes apply.
    where, args = ["deleted = 0"], []
    term, term_args = _visibility(context, query.is_public)
    if term == "is_public = 1":     # most images: better walked in sort order
        term = f"{_row_by_row('is_public', query.sort_key)} = 1"
    if term:
        where.append(term)
        args += term_args
    for column, value in query.filters.items():
        if column == "name":    # selective: its index finds the few matches
            where.append(f"{db.sort_expression(column)} = ?")
            args.append("+" + value)
        else:
            where.append(f"{_row_by_row(column, query.sort_key)} = ?")
            args.append(value)
    for name, bound in query.bounds.items():
        column, op = validation.RANGE_FILTERS[name]
        where.append(f"{_row_by_row(column, query.sort_key)} {op} ?")
        args.append(bound)
    for key, value in query.properties.items():
        where.append("id IN (SELECT image_id FROM image_properties WHERE key = ? AND value = ?)")
        args += [key, value]
    columns = _order_columns(query.sort_key)
    if position is not None:
        op = ">" if query.sort_dir == "asc" else "<"
        if len(columns) > 1:
            # Redundant with the row-value term, but sqlite only turns a
            # plain comparison on the first index column into a range seek.
            where.append(f"{columns[0]} {op}= ?")
            args.append(position[0])
        where.append(f"({', '.join(columns)}) {op} ({', '.join('?' * len(columns))})")
        args += list(position)
    direction = query.sort_dir.upper()
    order = ", ".join(f"{column} {direction}" for column in columns)
    sql = (f"SELECT {_record_sql(dialect, properties)} FROM images WHERE {' AND '.join(where)} "
           f"ORDER BY {order} LIMIT ?")
    return sql, args + [query.limit]
