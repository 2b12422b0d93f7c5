"""List queries → SQL: one parameterised SELECT per page (CONTRACT §2, §4, §10).

The order is total: the query's sort keys, then `created_at`, then `id`, the
tie-breakers in the last key's direction.  Pages are keyset pages: the next
one starts strictly after the marker image's position in that order, so a
deep page costs what the first does.  Every sort key has a partial index in
list order (`migrations.R2_SORT_INDEXES`), which drives every page: the
filters are written so that no other index answers them (`_row_by_row`)
and are checked along it; tests/registry/test_query_plans.py holds the
plans.  Column names come only from the field table, values only as
parameters.

A page holds at most `query.MAX_LIMIT` (1000) images, each at most
`image_property_bytes_max` (64 KiB) of properties, `image_tag_quota` (128)
tags of ≤ 255 characters and ~1.3 KiB of other bounded fields plus its
location.  Measured at those limits (1000 images of 128 properties, 64 KiB
each): the page's JSON is 67 MB and building it peaks at ~220 MB in the
process (revision 1's uncapped properties reached ~2 GB).  The registry
reads one page at a time and never more.
"""

import json

from glance.common import exception, fields
from glance.registry import records

# How each sort kind orders its column; the indexes use the same expressions.
_ORDER = {
    fields.BY_VALUE: "{0}",
    fields.TEXT_OR_NULL: "coalesce('+' || {0}, '')",   # null first, then every string
    fields.INT_OR_NULL: "coalesce({0}, -1)",             # null first, then 0, 1, ...
    fields.AS_ID: "id",
    fields.AS_PUBLIC: "(CASE WHEN visibility = 'public' THEN 1 ELSE 0 END)",
}


def order_expression(key):
    """The SQL expression a list sorts field `key` by."""
    row = fields.BY_NAME[key]
    return _ORDER[row.sort].format(row.name)


def order_columns(query):
    """[(expression, direction)] of the list order, without repeats: the
    sort keys, then created_at and id in the last key's direction."""
    columns, seen = [], set()
    for key, direction in query.sort:
        expression = order_expression(key)
        if expression not in seen:
            columns.append((expression, direction))
            seen.add(expression)
        if expression == "id":
            return columns     # unique: nothing left to break ties
    last = query.sort[-1][1]
    for expression in ("created_at", "id"):
        if expression not in seen:
            columns.append((expression, last))
    return columns


def _row_by_row(column, query):
    """`column` as a WHERE term names it: as it is when it is the first sort
    key, else as an expression no index answers (`+ 0`, `|| ''`, on sqlite
    and PostgreSQL alike).  Then the sort key's index drives every page, and
    the filter is checked row by row; without statistics sqlite would pick
    the filter's index instead (visibility has four values) and sort every
    image it matches, for every page."""
    if column == query.sort[0][0]:
        return column
    return f"{column} + 0" if fields.BY_NAME[column].numeric else f"{column} || ''"


def _scope(context, query):
    """The WHERE term of the query's scopes, for this caller (None: all)."""
    if "all" in query.scope:
        return records.visible_term(context, lambda column: _row_by_row(column, query))
    visibility = _row_by_row("visibility", query)
    terms, args = [], []
    for name in ("public", "community"):
        if name in query.scope:
            terms.append(f"{visibility} = '{name}'")
    if context.tenant is not None and "own" in query.scope:
        terms.append(f"{_row_by_row('owner', query)} = ?")
        args.append(context.tenant)
    if context.tenant is not None and "member" in query.scope:
        status = "" if query.member_status == "all" else " AND status = ?"
        terms.append(f"({visibility} = 'shared' AND id IN (SELECT image_id FROM image_members "
                     f"WHERE member = ?{status}))")
        args += [context.tenant] + ([query.member_status] if status else [])
    if not terms:
        return "1 = 0", []
    return f"({' OR '.join(terms)})", args


def _filters(query):
    """WHERE terms and arguments of the query's filters."""
    where, args = [], []
    if query.visibility is not None:
        where.append(f"{_row_by_row('visibility', query)} IN "
                     f"({', '.join('?' * len(query.visibility))})")
        args += list(query.visibility)
    for name, value in query.equal.items():
        if name == "name":      # selective: its index finds the few matches
            where.append(f"{order_expression('name')} = ?")
            args.append("+" + value)
        else:
            where.append(f"{_row_by_row(name, query)} = ?")
            args.append(value)
    for name, bound in query.ranges.items():
        column, end = name.rsplit("_", 1)
        where.append(f"{_row_by_row(column, query)} {'>=' if end == 'min' else '<='} ?")
        args.append(bound)
    for tag in query.tags:
        where.append("id IN (SELECT image_id FROM image_tags WHERE tag = ?)")
        args.append(tag)
    for key, value in query.properties.items():
        where.append("id IN (SELECT image_id FROM image_properties WHERE key = ? AND value = ?)")
        args += [key, value]
    for column, op, moment in query.times:
        # With deleted images, changes-since is a range of ix_images_changes.
        expression = column if query.include_deleted else _row_by_row(column, query)
        where.append(f"{expression} {_OPS[op]} ?")
        args.append(moment)
    return where, args


_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=", "neq": "<>"}


def _after(columns, position):
    """WHERE terms (and arguments) of "strictly after `position`" in the order."""
    if len({direction for _, direction in columns}) == 1:
        op = ">" if columns[0][1] == "asc" else "<"
        where, args = [], []
        if len(columns) > 1:
            # Redundant with the row-value term, but sqlite only turns a
            # plain comparison on the first index column into a range seek.
            where.append(f"{columns[0][0]} {op}= ?")
            args.append(position[0])
        names = ", ".join(expression for expression, _ in columns)
        where.append(f"({names}) {op} ({', '.join('?' * len(columns))})")
        return where, args + list(position)
    # Mixed directions (v2 only): spelled out, key by key.
    alternatives, args = [], []
    for depth, (expression, direction) in enumerate(columns):
        equal = [f"{columns[i][0]} = ?" for i in range(depth)]
        alternatives.append("(" + " AND ".join(
            equal + [f"{expression} {'>' if direction == 'asc' else '<'} ?"]) + ")")
        args += list(position[:depth]) + [position[depth]]
    first, direction = columns[0]
    return ([f"{first} {'>=' if direction == 'asc' else '<='} ?",
             f"({' OR '.join(alternatives)})"], [position[0]] + args)


def marker_position(conn, context, query):
    """The marker image's values of the list order; Invalid when it is
    missing or invisible to the caller (deleted too, unless the list shows
    deleted images).  A visible image the filters exclude is a valid marker."""
    try:
        records.read(conn, context, query.marker, deleted=False)
    except exception.NotFound:
        if not (query.include_deleted and _deleted_visible(conn, context, query.marker)):
            raise exception.Invalid(
                f"marker {query.marker} is not an image you can see") from None
    names = ", ".join(expression for expression, _ in order_columns(query))
    return tuple(conn.execute(f"SELECT {names} FROM images WHERE id = ?",
                              (query.marker,)).fetchone())


def _deleted_visible(conn, context, image_id):
    try:
        records.read(conn, context, image_id, deleted=True)
        return True
    except exception.NotFound:
        return False


def page_sql(context, query, position, dialect, brief=False):
    """One parameterised SELECT for a list page of packed records
    (`records.record_sql`; with `brief`, the brief fields only)."""
    # `deleted = 0` is literal so that the partial indexes apply.
    where, args = ([] if query.include_deleted else ["deleted = 0"]), []
    term, term_args = _scope(context, query)
    if term:
        where.append(term)
        args += term_args
    terms, term_args = _filters(query)
    where += terms
    args += term_args
    columns = order_columns(query)
    if position is not None:
        terms, term_args = _after(columns, position)
        where += terms
        args += term_args
    order = ", ".join(f"{expression} {direction.upper()}" for expression, direction in columns)
    select = records.brief_sql(dialect) if brief else records.record_sql(dialect)
    sql = (f"SELECT {select} AS packed FROM images WHERE {' AND '.join(where) or '1 = 1'} "
           f"ORDER BY {order} LIMIT ?")
    return sql, args + [query.limit]


def _packed_rows(conn, sql, args):
    """The packed texts of a page's rows, fetched as one row where the
    dialect can (`Dialect.one_row_page`)."""
    if conn.dialect.one_row_page is None:
        return [row[0] for row in conn.execute(sql, args).fetchall()]
    joined = conn.execute(conn.dialect.one_row_page.format(sql), args).fetchone()[0]
    return joined.split("\n") if joined else []


def list_page(conn, context, query, detailed):
    """The images of one list page (full, or brief entries)."""
    for key, _ in query.sort:
        if fields.ADMIN in fields.BY_NAME[key].roles and not context.sees_location:
            raise exception.Invalid(f"sort_key {key!r} is not a sortable field")
    position = None
    if query.marker is not None:
        position = marker_position(conn, context, query)
    if query.limit == 0:
        return []
    sql, args = page_sql(context, query, position, conn.dialect, brief=not detailed)
    packed = _packed_rows(conn, sql, args)
    if detailed:
        return [records.full(records.unpack(text), context) for text in packed]
    return [_brief(text) for text in packed]


def _brief(packed):
    """A brief entry of its packed row: one column a row, as `records.record_sql`
    explains (sqlite3 hands the GIL over around every column it returns)."""
    return dict(zip(records.BRIEF_FIELDS, json.loads(packed)))
