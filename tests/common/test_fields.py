"""The field table: rows that agree with themselves, lists derived from them,
room for revision 2's fields as single rows, and the one image-id parser."""

import pytest

from glance.cli import format as cli_format
from glance.api.v1 import images
from glance.common import fields, imagemeta
from glance.common.exception import Invalid
from glance.common.fields import (ADMIN, BOOL, BRIEF, CLIENT, COLUMN, CREATE, DETAIL, ENUM,
                                  EXACT, HEADER, IF_SET, INT, MAX_INT, RANGE, SERVER, SET,
                                  TEXT, TEXT_OR_NULL, UPDATE, V2_READONLY, Field)
from glance.registry import db, service, validation

ROWS = fields.FIELDS


def check_row(row):
    """The rules every row keeps, whatever the field."""
    assert row.kind in (TEXT, INT, BOOL, fields.TIMESTAMP, ENUM, SET)
    assert bool(row.choices) == (row.kind == ENUM)
    if row.kind == INT:
        assert row.minimum is not None and row.maximum is not None
    assert not (row.roles & CLIENT and row.roles & SERVER), "set by clients or by the server"
    assert not (row.roles & CLIENT and row.roles & V2_READONLY)
    if row.roles & SERVER and row.v2:
        assert row.roles & V2_READONLY, "a server-controlled field is read-only in v2"
    if row.roles & V2_READONLY:
        assert row.v2
    if row.filter:
        assert row.roles & COLUMN
    if row.filter == RANGE:
        assert row.kind == INT
    if row.sort == TEXT_OR_NULL:
        assert row.nullable and row.kind in (TEXT, ENUM)
    assert not (row.roles & DETAIL and row.roles & IF_SET)
    assert row.doc.endswith(".")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_a_row_agrees_with_itself(row):
    assert fields.BY_NAME[row.name] is row
    check_row(row)


def test_header_names_are_the_prefix_and_the_field():
    assert fields.BY_NAME["disk_format"].header == "x-image-meta-disk_format"
    assert fields.BY_NAME["status_reason"].header is None


def test_the_cli_shows_fields_in_a_complete_order():
    lines = sorted(row.cli_show for row in ROWS if row.cli_show)
    assert lines == list(range(1, len(lines) + 1))
    assert all(row.label for row in ROWS if row.cli_show)


def test_max_int_is_defined_once():
    assert imagemeta.MAX_INT is validation.MAX_INT is fields.MAX_INT == 2**63 - 1


def test_every_list_of_fields_comes_from_the_table():
    """Adding a row reaches each of these without an edit to them."""
    assert imagemeta.CORE_FIELDS == fields.names(HEADER)
    assert images.CREATE_FIELDS == fields.names(CREATE)
    assert images.UPDATE_FIELDS == fields.names(UPDATE)
    assert images.BRIEF_FIELDS == fields.names(BRIEF)
    assert service.FULL_FIELDS == fields.names(DETAIL | COLUMN)
    assert service.BRIEF_FIELDS == tuple(n for n in images.BRIEF_FIELDS
                                         if fields.BY_NAME[n].roles & COLUMN)
    assert validation.WRITABLE_FIELDS == set(fields.with_any(CLIENT | SERVER)) | {"properties"}
    assert validation.WRITABLE_FIELDS | validation.IGNORED_FIELDS == (
        set(fields.names()) | {"properties"})
    assert set(validation.SORT_KEYS) == {row.name for row in ROWS if row.sort}
    assert set(validation.ENUMS) == set(fields.names(kind=ENUM))
    assert db.NULLABLE_SORT_COLUMNS == fields.names(COLUMN, sort=TEXT_OR_NULL)
    assert [name for name, _ in cli_format.BLOCK_FIELDS] == [
        row.name for row in sorted(ROWS, key=lambda r: r.cli_show or 0) if row.cli_show]
    assert set(fields.names(filter=EXACT)) <= set(cli_format.FILTER_KEYS)


def test_admin_only_fields_are_columns_a_client_cannot_set():
    for name in fields.names(ADMIN):
        assert not fields.BY_NAME[name].roles & CLIENT


# -- revision 2: each coming field is one row ---------------------------------

MAX_INT32 = 2**31 - 1
REVISION_2 = (
    Field("protected", BOOL, CLIENT | HEADER | DETAIL | COLUMN, nullable=False,
          default=False, sort=fields.BY_VALUE, filter=EXACT, v2="protected",
          doc="True: DELETE is refused."),
    Field("min_disk", INT, CLIENT | HEADER | DETAIL | COLUMN, nullable=False, default=0,
          minimum=0, maximum=MAX_INT32, sort=fields.BY_VALUE, filter=EXACT, v2="min_disk",
          unit="GB", doc="Disk needed to boot it."),
    Field("min_ram", INT, CLIENT | HEADER | DETAIL | COLUMN, nullable=False, default=0,
          minimum=0, maximum=MAX_INT32, sort=fields.BY_VALUE, filter=EXACT, v2="min_ram",
          unit="MB", doc="Memory needed to boot it."),
    Field("virtual_size", INT, SERVER | HEADER | DETAIL | COLUMN | V2_READONLY,
          minimum=0, maximum=MAX_INT, v2="virtual_size", unit="bytes",
          doc="The size of the virtual disk."),
    Field("visibility", ENUM, CLIENT | COLUMN, nullable=False, default="shared",
          choices=("public", "private", "shared", "community"), v2="visibility",
          doc="Who may see it."),
    Field("os_hidden", BOOL, CLIENT | COLUMN, nullable=False, default=False, v2="os_hidden",
          doc="Hidden from default v2 lists."),
    Field("tags", SET, CLIENT, v2="tags", doc="Free-form tags."),
    Field("status_reason", TEXT, SERVER | DETAIL | COLUMN, doc="Why it is killed."),
)


@pytest.mark.parametrize("row", REVISION_2, ids=lambda row: row.name)
def test_revision_2_fields_are_rows_that_agree_with_themselves(row):
    check_row(row)


def test_revision_2_fields_take_their_places_in_the_derived_lists():
    table = tuple(r for r in ROWS if r.name != "status_reason") + REVISION_2
    headers = fields.names(HEADER, table=table)
    assert {"protected", "min_disk", "min_ram", "virtual_size"} <= set(headers)
    assert not {"visibility", "os_hidden", "tags", "status_reason"} & set(headers)
    v2_settable = {r.v2 for r in table if r.v2 and r.roles & CLIENT}
    assert {"visibility", "os_hidden", "tags", "protected", "min_disk"} <= v2_settable
    assert "virtual_size" in fields.names(V2_READONLY, table=table)
    assert "tags" not in fields.names(COLUMN, table=table)
    assert "status_reason" in fields.names(DETAIL | COLUMN, table=table)
    assert set(fields.names(filter=EXACT, table=table)) >= {"protected", "min_disk", "min_ram"}


def test_revision_2_integers_are_range_checked_by_the_codec():
    row = next(r for r in REVISION_2 if r.name == "min_disk")
    assert imagemeta.parse_int(row.name, str(MAX_INT32), row.minimum, row.maximum) == MAX_INT32
    with pytest.raises(Invalid, match="min_disk"):
        imagemeta.parse_int(row.name, str(MAX_INT32 + 1), row.minimum, row.maximum)


# -- the one image-id parser ---------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    (1, 1), ("1", 1), ("42", 42), (MAX_INT, MAX_INT), (str(MAX_INT), MAX_INT),
    ("0000000000000000007", 7),
])
def test_image_ids(given, expected):
    assert fields.parse_image_id(given) == expected


@pytest.mark.parametrize("bad", [0, "0", -1, "-1", MAX_INT + 1, str(MAX_INT + 1),
                                 "1" * 20, "", " 1", "1 ", "abc", "1.0", "١٢", True, None,
                                 1.0, b"1"])
def test_anything_else_names_no_image(bad):
    assert fields.parse_image_id(bad) is None
