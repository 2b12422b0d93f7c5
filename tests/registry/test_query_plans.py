"""Every list the registry can be asked for is served by an index (EXPLAIN QUERY PLAN).

The database has no statistics (the registry never runs ANALYZE), as in
production: sqlite then picks indexes by the shape of the query alone.  A
page must walk the sort key's index (no sort of everything that matches),
whatever the caller, the scopes and the filters; a name filter finds its
matches through the name index, a property or tag filter through its
table's index; a list of changes (deleted images
included) finds them through the index of changes.  Latencies over
100,000 images are measured in bench/.
"""

import uuid

import pytest

from glance.common.context import RequestContext
from glance.registry import db, leases, listing, query, records

CALLERS = {"admin": RequestContext(is_admin=True, roles=("admin",)),
           "tenant": RequestContext(tenant="t"), "anonymous": RequestContext()}
SORT_KEYS = sorted(set(query.SORT_KEYS.values()))
FILTERS = [{"equal": {"status": "active"}}, {"equal": {"type": "machine"}},
           {"equal": {"disk_format": "raw"}}, {"equal": {"container_format": "bare"}},
           {"equal": {"protected": 1}}, {"equal": {"os_hidden": 0}},
           {"ranges": {"size_min": 10}}, {"ranges": {"size_max": 10}},
           {"ranges": {"size_min": 1, "size_max": 10}}, {"visibility": ("public",)},
           {"visibility": ("private", "shared", "community")},
           {"scope": ("all",)}, {"scope": ("public", "community", "own", "member"),
                                 "member_status": "accepted"},
           {"times": (("created_at", "gt", "2024-01-01T00:00:00.000000"),)}]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "glance.sqlite"
    database = db.Database(f"sqlite:///{path}")
    connection = database.connection()
    connection.executemany(
        "INSERT INTO images (id, name, status, visibility, owner, created_at, updated_at) "
        "VALUES (?, ?, 'active', ?, ?, '2024-01-01T00:00:00.000000', "
        "'2024-01-01T00:00:00.000000')",
        [(str(uuid.uuid4()), f"image-{n}", ("public", "shared")[n % 2], "t" if n % 3 else None)
         for n in range(50)])
    yield connection
    database.close()


def plan(conn, caller, position=None, **fields):
    sql, args = listing.page_sql(caller, query.ImageQuery(**fields), position, db.SQLITE)
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]


def walks_index(steps, index):
    return any(f"USING INDEX {index}" in step for step in steps) and not any(
        "TEMP B-TREE" in step for step in steps)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("sort_key", SORT_KEYS)
@pytest.mark.parametrize("sort_dir", ["asc", "desc"])
def test_every_order_walks_its_index(conn, caller, sort_key, sort_dir):
    steps = plan(conn, CALLERS[caller], sort=((sort_key, sort_dir),))
    if sort_key == "id":
        assert not any("TEMP B-TREE" in step for step in steps), steps
    else:
        assert walks_index(steps, f"ix_images_{sort_key}"), steps


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("sort_key", ["created_at", "name", "size", "is_public"])
def test_a_deep_page_seeks_into_the_sort_index(conn, caller, sort_key):
    q = query.ImageQuery(sort=((sort_key, "desc"),))
    position = ["+x" if expression.startswith("coalesce('+'") else 5
                for expression, _ in listing.order_columns(q)]
    steps = plan(conn, CALLERS[caller], position, sort=((sort_key, "desc"),))
    assert walks_index(steps, f"ix_images_{sort_key}"), steps
    assert any(step.startswith("SEARCH images USING INDEX") for step in steps), steps


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("filters", FILTERS, ids=repr)
@pytest.mark.parametrize("sort_key", ["created_at", "name"])
def test_filters_and_scopes_are_checked_along_the_sort_index(conn, caller, filters, sort_key):
    steps = plan(conn, CALLERS[caller], sort=((sort_key, "desc"),), **filters)
    assert walks_index(steps, f"ix_images_{sort_key}"), steps


@pytest.mark.parametrize("caller", CALLERS)
def test_a_name_filter_searches_the_name_index(conn, caller):
    steps = plan(conn, CALLERS[caller], equal={"name": "image-7"})
    assert any("SEARCH images USING INDEX ix_images_name" in step for step in steps), steps


def test_a_property_filter_searches_the_property_index(conn):
    steps = plan(conn, CALLERS["admin"], properties={"distro": "ubuntu"})
    assert any("ix_image_properties_key_value" in step for step in steps), steps


def test_a_tag_filter_searches_the_tag_index(conn):
    """Like a property filter: tags are selective, their matches sorted."""
    steps = plan(conn, CALLERS["admin"], tags=("a",))
    assert any("ix_image_tags_tag" in step for step in steps), steps


def test_shared_images_are_found_through_the_member_index(conn):
    steps = plan(conn, CALLERS["tenant"])
    assert any("ix_image_members_member" in step for step in steps), steps


def test_a_list_of_changes_searches_the_index_of_changes(conn):
    steps = plan(conn, CALLERS["tenant"], include_deleted=True,
                 times=(("updated_at", "gt", "2024-01-01T00:00:00.000000"),))
    assert any("SEARCH images USING INDEX ix_images_changes" in step for step in steps), steps


def test_one_image_with_its_properties_and_tags_is_one_indexed_search(conn):
    sql = (f"SELECT {records.record_sql(db.SQLITE)} FROM images "
           "WHERE id = ? AND deleted = 0")
    steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, ("x",))]
    assert steps[0].startswith("SEARCH images USING INDEX sqlite_autoindex_images"), steps
    for table in ("image_properties", "image_tags"):
        assert any(step.startswith(f"SEARCH {table} USING PRIMARY KEY")
                   for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps


@pytest.mark.parametrize("caller", CALLERS)
def test_a_detailed_page_finds_each_images_properties_by_key(conn, caller):
    sql, args = listing.page_sql(CALLERS[caller], query.ImageQuery(), None, db.SQLITE)
    steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
    assert walks_index(steps, "ix_images_created_at"), steps
    assert any(step.startswith("SEARCH image_properties USING PRIMARY KEY")
               for step in steps), steps


@pytest.mark.parametrize("where,index", [
    ("lease_expires < ?", "ix_images_lease_expires"),
    (leases.SWEEP_LEASELESS, "ix_images_status"),
    ("lease_node = ? AND lease_instance <> ?", "ix_images_lease_node"),
])
def test_the_lease_sweeps_search_an_index(conn, where, index):
    args = ["x"] * where.count("?")
    steps = [row[3] for row in conn.execute(
        f"EXPLAIN QUERY PLAN UPDATE images SET status = 'killed' WHERE deleted = 0 AND {where}",
        args)]
    assert any(f"SEARCH images USING INDEX {index}" in step for step in steps), steps
