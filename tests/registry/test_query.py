"""`ImageQuery` and its parameters: the registry's own (a lossless round
trip) and v1's (CONTRACT §2, §10); v2's are tests/api/v2/test_listing.py's."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glance.common import exception, fields
from glance.registry import query
from tests.registry.helpers import ALICE, NOAUTH

texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)
keys = st.from_regex(r"[A-Za-z0-9_.-]{1,10}", fullmatch=True)
moments = st.datetimes().map(lambda moment: moment.isoformat(timespec="microseconds"))

queries = st.builds(
    query.ImageQuery,
    scope=st.lists(st.sampled_from(query.SCOPES), min_size=1, max_size=3, unique=True).map(
        tuple),
    member_status=st.sampled_from(query.MEMBER_STATUSES),
    visibility=st.none() | st.lists(st.sampled_from(fields.VISIBILITIES), min_size=1,
                                    unique=True).map(tuple),
    include_deleted=st.booleans(),
    equal=st.fixed_dictionaries({}, optional={
        "name": texts, "status": st.sampled_from(fields.STATUSES), "owner": texts,
        "min_ram": st.integers(0, fields.MAX_INT32), "protected": st.sampled_from([0, 1]),
        "os_hidden": st.sampled_from([0, 1])}),
    ranges=st.fixed_dictionaries({}, optional={"size_min": st.integers(0, fields.MAX_INT),
                                               "size_max": st.integers(0, fields.MAX_INT)}),
    tags=st.lists(texts.filter(lambda t: "/" not in t), max_size=3).map(tuple),
    properties=st.dictionaries(keys, st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), max_size=8), max_size=3),
    times=st.lists(st.tuples(st.sampled_from(query.TIME_FIELDS), st.sampled_from(
        sorted(query.TIME_OPS)), moments), max_size=2).map(tuple),
    sort=st.lists(st.tuples(st.sampled_from(sorted(query.SORT_KEYS)),
                            st.sampled_from(["asc", "desc"])), min_size=1, max_size=3).map(tuple),
    limit=st.integers(0, 1000),
    marker=st.none() | st.uuids().map(str))


@settings(max_examples=300, deadline=None)
@given(q=queries)
def test_the_registry_parameters_say_every_query_without_loss(q):
    assert query.from_params(query.to_params(q)) == q


def test_unknown_registry_parameters_are_invalid():
    with pytest.raises(exception.Invalid, match="colour"):
        query.from_params([("colour", "blue")])


def test_limits_are_clamped():
    assert query.ImageQuery(limit=5000).limit == query.MAX_LIMIT


# -- v1 ------------------------------------------------------------------------------

@pytest.mark.parametrize("params,fields_", [
    ({}, {"scope": query.DEFAULT_SCOPE, "member_status": "all", "visibility": None}),
    ({"is_public": "True"}, {"scope": query.DEFAULT_SCOPE, "visibility": ("public",)}),
    ({"is_public": "false"}, {"visibility": ("private", "shared", "community")}),
    ({"is_public": "none"}, {"scope": query.DEFAULT_SCOPE}),
    ({"sort_key": "uri", "sort_dir": "ASC"}, {"sort": (("id", "asc"),)}),
    ({"Size-Min": "3", "min_disk": "2", "protected": "TRUE"},
     {"ranges": {"size_min": 3}, "equal": {"min_disk": 2, "protected": 1}}),
    ({"changes-since": "2024-05-01T12:00:00+02:00"},
     {"include_deleted": True, "times": (("updated_at", "gt", "2024-05-01T10:00:00.000000"),)}),
    ({"owner": "bob", "os_hidden": "true", "colour": "blue"}, {"equal": {}}),
])
def test_v1_parameters(params, fields_):
    q = query.from_v1_params(params, ALICE)
    assert {name: getattr(q, name) for name in fields_} == fields_


def test_v1_admins_is_public_false_and_none_reach_every_image():
    assert query.from_v1_params({"is_public": "none"}, NOAUTH).scope == ("all",)
    q = query.from_v1_params({"is_public": "false"}, NOAUTH)
    assert (q.scope, q.visibility) == (("all",), ("private", "shared", "community"))
