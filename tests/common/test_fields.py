"""The field table: rows that agree with themselves, lists derived from them,
room for revision 2's fields as single rows, and the one image-id parser."""

import pytest

from glance.cli import format as cli_format
from glance.api.v1 import images
from glance.common import fields, imagemeta
from glance.common.exception import Invalid
from glance.common.fields import (ADMIN, BOOL, BRIEF, CLIENT, COLUMN, CREATE, DETAIL, ENUM,
                                  EXACT, HEADER, ID, INT, INT_OR_NULL, MAX_INT, RANGE, RECORD,
                                  SERVER, SET, TEXT, TEXT_OR_NULL, UPDATE, V2_READONLY)
from glance.registry import listing, migrations, query, records, validation

ROWS = fields.FIELDS
# v2 admins may set the owner (CONTRACT §4): server-controlled, yet not read-only there.
V2_ADMIN_SETTABLE = ("owner",)


def check_row(row):
    """The rules every row keeps, whatever the field."""
    assert row.kind in (TEXT, INT, BOOL, fields.TIMESTAMP, ENUM, SET, ID)
    assert bool(row.choices) == (row.kind == ENUM)
    if row.kind == INT:
        assert row.minimum is not None and row.maximum is not None
    assert not (row.roles & CLIENT and row.roles & SERVER), "set by clients or by the server"
    assert not (row.roles & CLIENT and row.roles & V2_READONLY)
    if row.roles & SERVER and row.v2 and row.name not in V2_ADMIN_SETTABLE:
        assert row.roles & V2_READONLY, "a server-controlled field is read-only in v2"
    if row.roles & V2_READONLY:
        assert row.v2
    if row.filter:
        assert row.roles & COLUMN
    if row.filter == RANGE:
        assert row.kind == INT
    if row.sort == TEXT_OR_NULL:
        assert row.nullable and row.kind in (TEXT, ENUM)
    if row.sort == INT_OR_NULL:
        assert row.nullable and row.kind == INT
    if row.roles & COLUMN or row.kind == SET:
        assert row.roles & RECORD, "what the registry keeps, it answers"
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
    assert imagemeta.MAX_INT is fields.MAX_INT == 2**63 - 1


def test_every_list_of_fields_comes_from_the_table():
    """Adding a row reaches each of these without an edit to them."""
    assert imagemeta.CORE_FIELDS == fields.names(HEADER)
    assert images.CREATE_FIELDS == fields.names(CREATE)
    assert images.UPDATE_FIELDS == fields.names(UPDATE)
    assert images.BRIEF_FIELDS == fields.names(BRIEF)
    assert records.RECORD_FIELDS == fields.names(RECORD)
    assert records.BRIEF_FIELDS == tuple(n for n in images.BRIEF_FIELDS
                                         if fields.BY_NAME[n].roles & RECORD)
    assert records.COLUMNS == fields.names(COLUMN)
    assert validation.WRITABLE_FIELDS == set(fields.with_any(CLIENT | SERVER)) | {"properties"}
    assert validation.WRITABLE_FIELDS | validation.IGNORED_FIELDS == (
        set(fields.names()) | {"properties"})
    assert validation.SERVER_FIELDS == set(fields.names(SERVER))
    assert set(query.SORT_KEYS) == {row.name for row in ROWS if row.sort}
    assert set(validation.ENUMS) == set(fields.names(kind=ENUM))
    assert query.EXACT_FILTERS == fields.names(filter=EXACT)
    assert [name for name, _ in cli_format.BLOCK_FIELDS] == [
        row.name for row in sorted(ROWS, key=lambda r: r.cli_show or 0) if row.cli_show]
    assert set(fields.names(filter=EXACT)) <= set(cli_format.FILTER_KEYS)


def test_every_sort_key_has_its_index():
    """Each sort key orders by the expression its index was made on."""
    indexed = dict(migrations.R2_SORT_INDEXES)
    for key in set(query.SORT_KEYS.values()) - {"id", "created_at"}:
        assert listing.order_expression(key) == indexed[key], key


def test_admin_only_fields_are_columns_a_client_cannot_set():
    for name in fields.names(ADMIN):
        assert not fields.BY_NAME[name].roles & CLIENT


# -- revision 2's fields, each one row -------------------------------------------

def test_revision_2_fields_take_their_places_in_the_derived_lists():
    headers = fields.names(HEADER)
    assert {"protected", "min_disk", "min_ram", "virtual_size"} <= set(headers)
    assert not {"visibility", "os_hidden", "tags", "status_reason"} & set(headers)
    v2_settable = {r.v2 for r in ROWS if r.v2 and r.roles & CLIENT}
    assert {"visibility", "os_hidden", "tags", "protected", "min_disk"} <= v2_settable
    assert "virtual_size" in fields.names(V2_READONLY)
    assert "tags" not in fields.names(COLUMN) and "is_public" not in fields.names(COLUMN)
    assert "status_reason" in fields.names(DETAIL | COLUMN)
    assert set(fields.names(filter=EXACT)) >= {"protected", "min_disk", "min_ram", "os_hidden"}
    assert {"visibility", "os_hidden", "tags", "is_public"} <= set(fields.names(RECORD))
    assert "uri" not in fields.names(RECORD)


def test_revision_2_integers_are_range_checked_by_the_codec():
    row = fields.BY_NAME["min_disk"]
    assert imagemeta.parse_int(row.name, str(fields.MAX_INT32), row.minimum, row.maximum) == \
        fields.MAX_INT32
    with pytest.raises(Invalid, match="min_disk"):
        imagemeta.parse_int(row.name, str(fields.MAX_INT32 + 1), row.minimum, row.maximum)


@pytest.mark.parametrize("is_public,current,visibility", [
    (True, None, "public"), (False, None, "shared"), (None, None, "shared"),
    (True, "private", "public"), (False, "public", "shared"), (False, "private", "private"),
    (False, "community", "community"), (False, "shared", "shared"), (None, "private", "private")])
def test_the_one_mapping_of_is_public_onto_visibility(is_public, current, visibility):
    assert fields.visibility_for_is_public(is_public, current) == visibility
    assert fields.is_public(visibility) is (visibility == "public")


# -- the one image-id parser ---------------------------------------------------

UUID = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"


@pytest.mark.parametrize("given, expected", [
    (UUID, UUID), (1, "1"), ("1", "1"), ("42", "42"), (MAX_INT, str(MAX_INT)),
    (str(MAX_INT), str(MAX_INT)),
])
def test_image_ids(given, expected):
    assert fields.parse_image_id(given) == expected


@pytest.mark.parametrize("bad", [0, "0", -1, "-1", MAX_INT + 1, str(MAX_INT + 1),
                                 "1" * 20, "", " 1", "1 ", "abc", "1.0", "١٢", True, None,
                                 1.0, b"1", "007", UUID.upper(), UUID[:-1], " " + UUID,
                                 UUID.replace("-", ""), "{" + UUID + "}"])
def test_anything_else_names_no_image(bad):
    assert fields.parse_image_id(bad) is None


@pytest.mark.parametrize("given, expected", [(UUID, UUID), ("1", None), (1, None),
                                             (UUID.upper(), None), (None, None)])
def test_only_a_lower_case_uuid_may_be_proposed(given, expected):
    assert fields.parse_new_image_id(given) == expected


def test_new_ids_are_lower_case_uuids():
    assert fields.parse_new_image_id(fields.new_image_id()) is not None
