"""`GET /v2/images` query strings as registry queries, and links
(`glance.api.v2.listing`, the one v2 list-parameter parser)."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from glance.api.v2 import listing
from glance.common import exception, faults
from glance.registry import query as registry_query
from tests.api.v2.records import ADMIN, IMAGE_ID, OWNER

DEFAULT_SCOPE = ("public", "own", "member")


def parse(query_string, caller=OWNER):
    return listing.parse(listing.parameters(query_string), caller)


def refused(query_string):
    with pytest.raises(exception.Invalid) as caught:
        parse(query_string)
    return caught.value.message


def test_the_default_query():
    query = parse("")
    assert query == registry_query.ImageQuery(member_status="accepted", equal={"os_hidden": 0})
    assert (query.limit, query.marker, query.sort) == (25, None, (("created_at", "desc"),))
    assert (query.scope, query.visibility, query.member_status) == (
        DEFAULT_SCOPE, None, "accepted")


# -- which images: scopes (CONTRACT §4 Lists) ---------------------------------------------

@pytest.mark.parametrize("value,scope,visibility", [
    ("", DEFAULT_SCOPE, None),
    ("visibility=all", DEFAULT_SCOPE + ("community",), None),
    ("visibility=community", DEFAULT_SCOPE + ("community",), ("community",)),
    ("visibility=shared", DEFAULT_SCOPE + ("community",), ("shared",)),
    ("visibility=private", DEFAULT_SCOPE + ("community",), ("private",)),
    ("visibility=public", DEFAULT_SCOPE + ("community",), ("public",)),
])
def test_visibility_chooses_the_scopes(value, scope, visibility):
    query = parse(value)
    assert (query.scope, query.visibility) == (scope, visibility)


@pytest.mark.parametrize("value,visibility", [("", None), ("visibility=all", None),
                                              ("visibility=shared", ("shared",))])
def test_admins_list_every_image(value, visibility):
    query = parse(value, ADMIN)
    assert (query.scope, query.visibility) == (("all",), visibility)


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


@pytest.mark.parametrize("marker", ["nope", "", "%20", IMAGE_ID + "0", "42%0A",
                                    IMAGE_ID.upper(), "042"])
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


# -- filters ---------------------------------------------------------------------------

def test_exact_filters_on_fields():
    query = parse("name=cirros&status=active&owner=t&disk_format=raw&container_format=bare"
                  "&type=kernel&min_ram=64&min_disk=0&protected=TRUE")
    assert query.equal == {"name": "cirros", "status": "active", "owner": "t",
                           "disk_format": "raw", "container_format": "bare",
                           "type": "kernel", "min_ram": 64, "min_disk": 0, "protected": 1,
                           "os_hidden": 0}
    assert query.properties == {}


def test_filter_values_are_not_checked_against_the_enums_as_glance():
    assert parse("status=foo&disk_format=bar").equal == {
        "status": "foo", "disk_format": "bar", "os_hidden": 0}


def test_an_empty_name_is_a_filter_for_an_empty_name():
    assert parse("name=").equal["name"] == ""


def test_the_last_value_of_a_filter_wins():
    assert parse("name=a&name=b").equal["name"] == "b"


def test_any_other_parameter_filters_a_custom_property():
    query = parse("hw_disk_bus=virtio&os.distro=ubuntu&changes-since=x&is_public=true"
                  f"&id={IMAGE_ID}&checksum=abc")
    assert query.properties == {"hw_disk_bus": "virtio", "os.distro": "ubuntu",
                                "changes-since": "x", "is_public": "true", "id": IMAGE_ID,
                                "checksum": "abc"}


def test_every_tag_must_match():
    assert parse("tag=b&tag=a&tag=b").tags == ("a", "b")


@pytest.mark.parametrize("query_string,says", [
    ("tag=a/b", "tag"), ("tag=", "tag"), ("tag=" + "x" * 256, "tag"), ("tag=a%01", "tag"),
    ("foo:bar=1", "property name"), ("name=a%0Ab", "control"), ("k=%7F", "control"),
])
def test_values_no_image_can_hold_are_400_as_in_the_registry_server(query_string, says):
    assert says in refused(query_string)


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
    ("min_ram=abc", "min_ram"), ("min_disk=-1", "min_disk"), ("min_ram=2147483648", "min_ram"),
])
def test_bad_filter_values_are_400(query_string, says):
    assert says in refused(query_string)


def test_hidden_images_only_when_asked_in_any_case():
    assert parse("").equal["os_hidden"] == 0
    assert parse("os_hidden=TRUE").equal["os_hidden"] == 1
    assert parse("os_hidden=false").equal["os_hidden"] == 0


def test_size_bounds():
    assert parse("size_min=1&size_max=0").ranges == {"size_min": 1, "size_max": 0}


def test_huge_sizes_are_capped_at_the_largest_sql_integer():
    query = parse(f"size_min={'9' * 30}&size_max=9223372036854775808")
    assert query.ranges == {"size_min": 2**63 - 1, "size_max": 2**63 - 1}


MIDNIGHT = "2020-01-01T00:00:00.000000"


@pytest.mark.parametrize("value,expected", [
    ("gt:2020-01-01T00:00:00Z", ("gt", MIDNIGHT)),
    ("gte:2020-01-01T00:00:00", ("gte", MIDNIGHT)),
    ("lt:2020-01-01T01:00:00%2B01:00", ("lt", MIDNIGHT)),
    ("lte:2020-01-01", ("lte", MIDNIGHT)),
    ("neq:2020-01-01T00:00:00.5Z", ("neq", "2020-01-01T00:00:00.500000")),
    ("eq:2020-01-01T00:00:00Z", ("eq", MIDNIGHT)),
    ("2020-01-01T00:00:00Z", ("eq", MIDNIGHT)),
    ("2020-01-01T00:00:00-02:00", ("eq", "2020-01-01T02:00:00.000000")),
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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(
    ["limit", "marker", "sort", "sort_key", "sort_dir", "tag", "visibility", "member_status",
     "os_hidden", "size_min", "size_max", "created_at", "updated_at", "protected", "min_ram",
     "name", "type", "x", "a:b"]), st.text(max_size=30)), max_size=6),
       st.sampled_from([OWNER, ADMIN]))
def test_any_parameters_give_a_query_the_registry_server_reads_alike_or_a_400(pairs, caller):
    """What the in-process registry is asked is what the registry server
    reads from the same query over HTTP: never a 200 here and a 400 there."""
    try:
        query = listing.parse(pairs, caller)
    except exception.Invalid:
        return
    assert 0 <= query.limit <= listing.MAX_LIMIT
    assert all(key in listing.SORT_KEYS and direction in ("asc", "desc")
               for key, direction in query.sort)
    assert registry_query.from_params(registry_query.to_params(query)) == query


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
        ("created_at", "gt", "2019-12-31T23:00:00.000000"),)
