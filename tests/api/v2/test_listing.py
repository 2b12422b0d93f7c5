"""`GET /v2/images` query strings and links (`glance.api.v2.listing`)."""

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, strategies as st

from glance.api.v2 import listing
from glance.common import exception, faults
from tests.api.v2.records import IMAGE_ID

UTC = timezone.utc


def parse(query_string):
    return listing.parse(listing.parameters(query_string))


def refused(query_string):
    with pytest.raises(exception.Invalid) as caught:
        parse(query_string)
    return caught.value.message


def test_the_default_query():
    query = parse("")
    assert query == listing.ListQuery()
    assert (query.limit, query.marker, query.sort) == (25, None, (("created_at", "desc"),))
    assert (query.visibility, query.member_status, query.os_hidden) == (None, "accepted", False)
    assert query.order() == (("created_at", "desc"), ("id", "desc"))


# -- limit and marker ------------------------------------------------------------------

@pytest.mark.parametrize("value,limit", [
    ("0", 0), ("1", 1), ("1000", 1000), ("1001", 1000), ("5000", 1000), ("007", 7),
    ("9" * 40, 1000), (" 3 ", 3)])
def test_limit_is_clamped(value, limit):
    assert parse(f"limit={value}").limit == limit


@pytest.mark.parametrize("value", ["-1", "abc", "", "1.5", "%2B3", "1e3", "٣", "0x10"])
def test_bad_limits_are_400(value):
    assert "limit" in refused(f"limit={value}")


def test_the_last_limit_wins():
    assert parse("limit=5&limit=7").limit == 7


def test_a_marker_is_an_image_id():
    assert parse(f"marker={IMAGE_ID}").marker == IMAGE_ID
    assert parse("marker=42").marker == "42"


@pytest.mark.parametrize("marker", ["nope", "", "%20", IMAGE_ID + "0", "42%0A"])
def test_a_malformed_marker_is_400_as_a_missing_one(marker):
    message = refused(f"marker={marker}")
    assert message.startswith("No image found with ID")
    assert listing.marker_not_found("x").message == "No image found with ID 'x'"
    assert faults.fault_of(listing.marker_not_found("x"))[0] == 400


# -- sorting ---------------------------------------------------------------------------

@pytest.mark.parametrize("query_string,sort", [
    ("sort_key=name", (("name", "desc"),)),
    ("sort_dir=asc", (("created_at", "asc"),)),
    ("sort_key=name&sort_key=size&sort_dir=asc", (("name", "asc"), ("size", "asc"))),
    ("sort_key=name&sort_dir=asc&sort_key=size&sort_dir=desc",
     (("name", "asc"), ("size", "desc"))),
    ("sort_key=%20name", (("name", "desc"),)),
    ("sort=name:asc,size", (("name", "asc"), ("size", "desc"))),
    ("sort=name:", (("name", "desc"),)),
    ("sort=%20name%20:%20asc%20", (("name", "asc"),)),
    ("sort=id:asc", (("id", "asc"),)),
])
def test_both_sort_syntaxes(query_string, sort):
    assert parse(query_string).sort == sort


@pytest.mark.parametrize("query_string,says", [
    ("sort_key=foo", "Invalid sort key"), ("sort_key=", "Invalid sort key"),
    ("sort_key=owner", "Invalid sort key"), ("sort_key=NAME", "Invalid sort key"),
    ("sort_key=name&sort_dir=up", "Invalid sort direction"),
    ("sort_dir=ASC", "Invalid sort direction"),
    ("sort_key=name&sort_key=size&sort_dir=asc&sort_dir=desc&sort_dir=asc", "Number of"),
    ("sort_key=name&sort_dir=asc&sort_dir=desc", "Number of"),
    ("sort=name:up", "Invalid sort direction"), ("sort=bad", "Invalid sort key"),
    ("sort=", "Invalid sort key"), ("sort=name,", "Invalid sort key"),
    ("sort=name&sort_key=size", "cannot be combined"),
    ("sort=name&sort_dir=asc", "cannot be combined"),
])
def test_bad_sorting_is_400(query_string, says):
    assert says in refused(query_string)


def test_the_order_is_total():
    assert parse("sort=name:asc").order() == (
        ("name", "asc"), ("created_at", "asc"), ("id", "asc"))
    assert parse("sort=id:asc,name:desc").order() == (
        ("id", "asc"), ("name", "desc"), ("created_at", "desc"))
    # A key given twice counts once, in its first direction.
    assert parse("sort=name,name:asc").order() == (
        ("name", "desc"), ("created_at", "desc"), ("id", "desc"))


# -- filters ---------------------------------------------------------------------------

def test_exact_filters_on_fields():
    query = parse("name=cirros&status=active&owner=t&disk_format=raw&container_format=bare"
                  f"&id={IMAGE_ID}&type=kernel&checksum=abc&os_hash_value=def"
                  "&min_ram=64&min_disk=0&protected=TRUE")
    assert query.fields == {"name": "cirros", "status": "active", "owner": "t",
                            "disk_format": "raw", "container_format": "bare", "id": IMAGE_ID,
                            "type": "kernel", "checksum": "abc", "os_hash_value": "def",
                            "min_ram": 64, "min_disk": 0, "protected": True}
    assert query.properties == {}


def test_filter_values_are_not_checked_against_the_enums_as_glance():
    assert parse("status=foo&disk_format=bar").fields == {"status": "foo", "disk_format": "bar"}


def test_an_empty_name_is_a_filter_for_an_empty_name():
    assert parse("name=").fields == {"name": ""}


def test_the_last_value_of_a_filter_wins():
    assert parse("name=a&name=b").fields == {"name": "b"}


def test_any_other_parameter_filters_a_custom_property():
    query = parse("hw_disk_bus=virtio&os_distro=ubuntu&changes-since=x&is_public=true")
    assert query.properties == {"hw_disk_bus": "virtio", "os_distro": "ubuntu",
                                "changes-since": "x", "is_public": "true"}


def test_every_tag_must_match():
    assert parse("tag=a&tag=b&tag=a").tags == frozenset({"a", "b"})


@pytest.mark.parametrize("value", ["public", "private", "shared", "community", "all"])
def test_visibility(value):
    assert parse(f"visibility={value}").visibility == value


@pytest.mark.parametrize("value", ["pending", "accepted", "rejected", "all"])
def test_member_status(value):
    assert parse(f"member_status={value}").member_status == value


@pytest.mark.parametrize("query_string,says", [
    ("visibility=x", "visibility"), ("visibility=", "visibility"),
    ("visibility=Public", "visibility"),
    ("member_status=x", "member_status"), ("member_status=", "member_status"),
    ("os_hidden=maybe", "os_hidden"), ("os_hidden=", "os_hidden"),
    ("protected=maybe", "protected"), ("protected=", "protected"),
    ("size_min=abc", "size_min"), ("size_min=-1", "size_min"), ("size_max=", "size_max"),
    ("min_ram=abc", "min_ram"), ("min_disk=-1", "min_disk"),
])
def test_bad_filter_values_are_400(query_string, says):
    assert says in refused(query_string)


def test_os_hidden_in_any_case():
    assert parse("os_hidden=TRUE").os_hidden is True
    assert parse("os_hidden=false").os_hidden is False


def test_size_bounds():
    query = parse("size_min=1&size_max=0")
    assert (query.size_min, query.size_max) == (1, 0)


def test_huge_numbers_are_capped_at_the_largest_sql_integer():
    query = parse(f"size_min={'9' * 30}&size_max=9223372036854775808&min_ram=99999999999999999999")
    assert query.size_min == query.size_max == query.fields["min_ram"] == 2**63 - 1


@pytest.mark.parametrize("value,expected", [
    ("gt:2020-01-01T00:00:00Z", ("gt", datetime(2020, 1, 1, tzinfo=UTC))),
    ("gte:2020-01-01T00:00:00", ("gte", datetime(2020, 1, 1, tzinfo=UTC))),
    ("lt:2020-01-01T01:00:00%2B01:00", ("lt", datetime(2020, 1, 1, tzinfo=UTC))),
    ("lte:2020-01-01", ("lte", datetime(2020, 1, 1, tzinfo=UTC))),
    ("neq:2020-01-01T00:00:00.5Z", ("neq", datetime(2020, 1, 1, 0, 0, 0, 500000, tzinfo=UTC))),
    ("eq:2020-01-01T00:00:00Z", ("eq", datetime(2020, 1, 1, tzinfo=UTC))),
    ("2020-01-01T00:00:00Z", ("eq", datetime(2020, 1, 1, tzinfo=UTC))),
    ("2020-01-01T00:00:00-02:00", ("eq", datetime(2020, 1, 1, 2, tzinfo=UTC))),
])
def test_time_filters(value, expected):
    assert parse(f"created_at={value}").times == (("created_at", *expected),)


def test_every_time_comparison_holds():
    times = parse("updated_at=gt:2020-01-01&updated_at=lt:2021-01-01").times
    assert [(name, operator) for name, operator, _ in times] == [
        ("updated_at", "gt"), ("updated_at", "lt")]


@pytest.mark.parametrize("value,says", [
    ("gt:bad", "ISO 8601"), ("bad", "op"), ("xx:2020-01-01T00:00:00Z", "op"),
    ("in:2020-01-01T00:00:00Z", "op"), ("gt:", "ISO 8601"), ("", "op"),
])
def test_bad_time_filters_are_400(value, says):
    message = refused(f"created_at={value}")
    assert "created_at" in message and says in message


# -- the query string itself ------------------------------------------------------------

def test_the_query_string_must_be_utf8():
    with pytest.raises(exception.Invalid, match="UTF-8"):
        listing.parameters("name=%FF")


def test_too_many_parameters_are_400():
    with pytest.raises(exception.Invalid, match="Too many"):
        listing.parameters("&".join(["a=1"] * (listing.MAX_PARAMETERS + 1)))


@given(st.lists(st.tuples(st.sampled_from(
    ["limit", "marker", "sort", "sort_key", "sort_dir", "tag", "visibility", "member_status",
     "os_hidden", "size_min", "size_max", "created_at", "updated_at", "protected", "min_ram",
     "name", "x"]), st.text(max_size=30)), max_size=6))
def test_any_parameters_give_a_query_or_a_400(pairs):
    try:
        query = listing.parse(pairs)
    except exception.Invalid:
        return
    assert 0 <= query.limit <= listing.MAX_LIMIT
    order = query.order()
    assert all(key in listing.SORT_KEYS and direction in ("asc", "desc")
               for key, direction in order)
    keys = [key for key, _ in order]
    assert len(keys) == len(set(keys)) and {"created_at", "id"} <= set(keys)
    asked = list(dict.fromkeys(key for key, _ in query.sort))
    assert keys[:len(asked)] == asked


# -- links -----------------------------------------------------------------------------

def test_first_without_parameters_is_the_bare_path():
    assert listing.links([]) == {"first": "/v2/images"}


def test_first_and_next_keep_every_parameter_but_the_marker():
    pairs = listing.parameters(f"limit=2&tag=a&tag=b&marker={IMAGE_ID}&sort=name:asc")
    links = listing.links(pairs, "last-id")
    assert links["first"] == "/v2/images?limit=2&tag=a&tag=b&sort=name%3Aasc"
    assert links["next"] == links["first"] + "&marker=last-id"


def test_next_only_when_more_remain():
    assert "next" not in listing.links(listing.parameters("limit=0"))


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=8)), max_size=5),
       st.uuids().map(str))
def test_links_are_paths_that_give_back_the_parameters(pairs, marker):
    pairs = [(name, value) for name, value in pairs if name != "marker"]
    links = listing.links(pairs, marker)
    for link in links.values():
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.path) == ("", "", "/v2/images")
    assert parse_qsl(urlsplit(links["next"]).query, keep_blank_values=True) == \
        pairs + [("marker", marker)]
    assert parse_qsl(urlsplit(links["first"]).query, keep_blank_values=True) == pairs


def test_a_timestamp_filter_survives_the_links():
    pairs = listing.parameters("created_at=gt:2020-01-01T00:00:00%2B01:00")
    first = listing.links(pairs)["first"]
    assert parse(urlsplit(first).query).times == (
        ("created_at", "gt", datetime(2020, 1, 1, tzinfo=UTC) - timedelta(hours=1)),)
