"""`field=value` words → image dicts and filters; images → tables and blocks."""

import pytest

from glance.cli.format import parse_fields, parse_filters, print_block, print_rows, print_table
from glance.cli.parser import UsageError


def test_parse_fields_types_core_fields_and_collects_properties():
    meta = parse_fields(["name=Ubuntu 22", "is_public=true", "size=10", "Disk-Format=raw",
                         "distro=ubuntu", "property-name=x", "location=http://o/i"])
    assert meta == {"name": "Ubuntu 22", "is_public": True, "size": 10,
                    "disk_format": "raw", "location": "http://o/i",
                    "properties": {"distro": "ubuntu", "name": "x"}}


def test_parse_fields_keeps_equal_signs_in_values():
    assert parse_fields(["note=a=b"]) == {"properties": {"note": "a=b"}}


@pytest.mark.parametrize("bad", ["name", "=x", "size=-1", "size=ten", "is_public=maybe"])
def test_parse_fields_refuses_bad_words(bad):
    with pytest.raises(UsageError):
        parse_fields([bad])


def test_parse_filters_splits_core_and_property_filters():
    assert parse_filters(["disk_format=raw", "size_min=5", "distro=ubuntu"]) == {
        "disk_format": "raw", "size_min": 5, "properties": {"distro": "ubuntu"}}


def test_print_table_aligns_columns():
    lines = []
    print_table(lines.append, [        # ids as wide as "ID": text or number alike
        {"id": "12", "name": "a", "disk_format": "raw", "container_format": "bare", "size": 0},
        {"id": "34", "name": "longer name", "disk_format": None,
         "container_format": "ovf", "size": 3 * 2**20}])
    assert lines == ["ID  Name         Disk Format  Container Format     Size",
                     "--  -----------  -----------  ----------------  -------",
                     "12  a            raw          bare                  0 B",
                     "34  longer name               ovf               3.0 MiB"]


def test_print_rows_right_aligns_the_numeric_columns_only():
    lines = []
    print_rows(lines.append, ["Name", "N"], [["a", "1"], ["bb", "100"]], [False, True])
    assert lines == ["Name    N", "----  ---", "a       1", "bb    100"]


def test_parse_fields_takes_copy_from_as_a_request_word():
    assert parse_fields(["copy_from=http://o/i", "Copy-From=http://o/j"]) == \
        {"copy_from": "http://o/j"}


def test_parse_filters_take_changes_since():
    assert parse_filters(["changes-since=2026-01-01T00:00:00"]) == \
        {"changes_since": "2026-01-01T00:00:00"}


def test_parse_fields_types_the_new_fields():
    assert parse_fields(["protected=yes", "min_disk=20", "min-ram=512"]) == \
        {"protected": True, "min_disk": 20, "min_ram": 512}


@pytest.mark.parametrize("bad", ["protected=maybe", "min_disk=-1", "min_ram=lots"])
def test_parse_fields_refuses_bad_new_field_values(bad):
    with pytest.raises(UsageError):
        parse_fields([bad])


def test_print_block_shows_the_new_fields():
    lines = []
    print_block(lines.append, {"id": "2", "protected": True, "min_disk": 20, "min_ram": 512,
                               "virtual_size": 1536, "properties": {}})
    assert lines[0] == "Id: 2" and "Protected: Yes" in lines
    assert any(line.endswith(": 20 GB") and "disk" in line.lower() for line in lines)
    assert any(line.endswith(": 512 MB") and "ram" in line.lower() for line in lines)
    assert any("1536 (1.5 KiB)" in line and "virtual" in line.lower() for line in lines)


def test_print_block_shows_labels_and_properties_and_skips_nulls():
    lines = []
    print_block(lines.append, {"id": 2, "name": "n", "is_public": False, "size": 1536,
                               "owner": None, "properties": {"b": "2", "a": "1"}})
    assert lines == ["Id: 2", "Public: No", "Name: n", "Size: 1536 (1.5 KiB)",
                     "Property 'a': 1", "Property 'b': 2"]
