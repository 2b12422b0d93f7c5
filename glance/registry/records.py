"""Image records: reading them in one statement, who may see and change
them, and the image JSON the registry answers with (CONTRACT §1, §5).

Shared by the registry's modules (`service`, `listing`, `members`,
`leases`); every function takes the transaction's connection.
"""

import functools
import json
from datetime import datetime, timezone

from glance.common import exception, fields

# All from the field table (`glance.common.fields`), in its order.
RECORD_FIELDS = fields.names(fields.RECORD)
BRIEF_FIELDS = fields.names(fields.BRIEF | fields.RECORD)
COLUMNS = fields.names(fields.COLUMN)
_BOOLEANS = fields.names(fields.RECORD, kind=fields.BOOL)
_ADMIN_ONLY = fields.names(fields.ADMIN)
# The packed record: every field of the registry's image JSON, in its order,
# then the properties.  What is not a column is computed in the statement:
# `is_public` as `fields.is_public` says, `tags` from their table.
_PACKED = RECORD_FIELDS + ("properties",)
_DERIVED = {"is_public": "visibility = 'public'"}


def utcnow():
    """Now, as a naive UTC datetime with microseconds (the stored precision)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def timestamp(moment):
    """A naive UTC datetime as stored: `YYYY-MM-DDTHH:MM:SS.ffffff` (the
    year always four digits, so that text order stays time order)."""
    return moment.isoformat(timespec="microseconds")


@functools.cache
def record_sql(dialect):
    """The select list of an image record: ONE column, a JSON array of its
    columns, its properties and its tags.

    Python 3.11's sqlite3 hands the GIL over around every column of every
    row it returns; under sixteen busy connections each hand-over is a
    context switch or two, and a HEAD read ~60 columns (one row per
    property).  One column per image: one hand-over, the JSON parsed in C.
    """
    columns = [dialect.json_tags if name == "tags" else _DERIVED.get(name, name)
               for name in RECORD_FIELDS] + [dialect.json_properties]
    return _packed_sql(dialect, columns)


@functools.cache
def brief_sql(dialect):
    """The select list of a brief list entry, packed as `record_sql`'s."""
    return _packed_sql(dialect, BRIEF_FIELDS)


def _packed_sql(dialect, columns):
    """One column: a JSON array of `columns`, as text."""
    return dialect.json_text.format(f"{dialect.json_array}({', '.join(columns)})")


class Record(dict):
    """An image record, with the packed text it was unpacked from (`packed`;
    None when it is not memoized): equal texts, equal records, and `full`
    changes one only as its context's `sees_location` says.  So what is
    made of an answer alone (a list entry's JSON) may be memoized by (text,
    sees_location): the API's lists do (`glance.api.rendered`).
    Copies (`dict(record)`, `record.copy()`, `{**record}`) are plain dicts:
    a record changed that way never passes for its text."""

    __slots__ = ("packed",)


def unpack(packed):
    """The record of a packed text (`record_sql`): the image's fields in
    order (booleans as the engine gives them), `tags` sorted, `properties`
    sorted by key.  A fresh `Record`, the caller's to change."""
    if len(packed) > MEMO_TEXT_MAX:
        record = Record(_parse(packed))
        record.packed = None
        return record
    memo = _parsed(packed)
    record = Record(memo)
    record["tags"] = list(memo["tags"])
    record["properties"] = memo["properties"].copy()
    record.packed = packed
    return record


# Parsing a packed record (json.loads, then sorting its tags and properties)
# was half the time of a detail list: 25 images, 8 us each.  The same text
# always unpacks to the same record, so a process keeps the last MEMO_SIZE
# it parsed, keyed by the text itself: nothing to invalidate (a change to
# an image changes its text, at least `updated_at`), and every read is
# still a query.  Texts over MEMO_TEXT_MAX characters (large properties)
# are parsed each time, so the memo holds at most about
# MEMO_SIZE x 3 x MEMO_TEXT_MAX bytes (a text and its objects).
MEMO_SIZE = 1024
MEMO_TEXT_MAX = 4096


@functools.lru_cache(maxsize=MEMO_SIZE)
def _parsed(packed):
    """The record of a packed text, shared: `unpack` hands out copies."""
    return _parse(packed)


def _parse(packed):
    record = dict(zip(_PACKED, json.loads(packed)))
    record["tags"] = sorted(record["tags"] or ())
    record["properties"] = dict(sorted((record["properties"] or {}).items()))
    return record


# -- who sees what -------------------------------------------------------------

def visible_term(context, column=str):
    """The WHERE term (and its arguments) of "the images `context` may see"
    (CONTRACT §1), or (None, []) for an admin, who sees every image.
    `column(name)` spells a column (lists spell some so that no index
    answers them: `listing._row_by_row`)."""
    if context.is_admin:
        return None, []
    visibility = column("visibility")
    if context.tenant is None:
        return f"{visibility} IN ('public', 'community')", []
    return (f"({visibility} IN ('public', 'community') OR {column('owner')} = ? OR "
            f"({visibility} = 'shared' AND id IN "
            "(SELECT image_id FROM image_members WHERE member = ?)))",
            [context.tenant, context.tenant])


def may_change(context, record):
    """Only the owner or an admin may change an image."""
    return context.is_admin or (context.tenant is not None and record["owner"] == context.tenant)


def read(conn, context, image_id, deleted=False, lock=False):
    """The record of an image `context` may see (any image, for a None
    context: what a change just wrote); NotFound otherwise.

    `lock`: the row is about to change; engines with row locks take it now.
    """
    term, args = visible_term(context) if context is not None else (None, [])
    sql = (f"SELECT {record_sql(conn.dialect)} FROM images WHERE id = ? AND deleted = ?"
           + (f" AND {term}" if term else "") + (conn.dialect.for_update if lock else ""))
    row = conn.execute(sql, [image_id, int(deleted)] + args).fetchone()
    if row is None:
        raise exception.NotFound(f"no such image: {image_id}", image_id=image_id)
    return unpack(row[0])


def read_writable(conn, context, image_id):
    """The record of an image `context` may change: NotFound when it may not
    see it, Forbidden when it may only see it."""
    record = read(conn, context, image_id, lock=True)
    if not may_change(context, record):
        raise exception.Forbidden(
            f"image {image_id} belongs to another tenant; only its owner or an admin may "
            "change it", image_id=image_id)
    return record


# -- answers ---------------------------------------------------------------------

def full(record, context):
    """The image as the registry answers it: the v1 image without `uri`,
    plus `visibility`, `os_hidden` and `tags`; `location` only for callers
    who may see it.  Made of a fresh `record` (`read`, `unpack`), in place."""
    for key in _BOOLEANS:
        record[key] = bool(record[key])
    if not context.sees_location:
        for key in _ADMIN_ONLY:
            record.pop(key, None)
    return record


def brief(record):
    """The image as a brief list entry shows it."""
    return {key: record[key] for key in BRIEF_FIELDS}
