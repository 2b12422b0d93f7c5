"""Every list the registry can be asked for is served by an index (EXPLAIN QUERY PLAN).

The database has no statistics (the registry never runs ANALYZE), as in
production: sqlite then picks indexes by the shape of the query alone.  A
page must walk the sort key's index (no sort of everything that matches),
whatever the caller and the filters; a name filter finds its matches through
the name index.  Latencies over 100,000 images are measured in bench/.
"""

import pytest

from glance.common.context import RequestContext
from glance.registry import db, service, validation

CALLERS = {"admin": RequestContext(is_admin=True, roles=("admin",)),
           "tenant": RequestContext(tenant="t"), "anonymous": RequestContext()}
SORT_KEYS = sorted(set(validation.SORT_KEYS.values()))
FILTERS = [{"status": "active"}, {"type": "machine"}, {"disk_format": "raw"},
           {"container_format": "bare"}, {"size_min": "10"}, {"size_max": "10"},
           {"size_min": "1", "size_max": "10"}]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "glance.sqlite"
    database = db.Database(f"sqlite:///{path}")
    connection = database.connection()
    connection.executemany(
        "INSERT INTO images (name, status, is_public, owner, created_at, updated_at) "
        "VALUES (?, 'active', ?, ?, '2024-01-01T00:00:00', '2024-01-01T00:00:00')",
        [(f"image-{n}", n % 2, "t" if n % 3 else None) for n in range(50)])
    yield connection
    database.close()


def plan(conn, caller, params, marker_position=None):
    query = validation.parse_list_params(params, caller.is_admin)
    sql, args = service._list_sql(caller, query, marker_position)
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]


def walks_index(steps, index):
    return any(f"USING INDEX {index}" in step for step in steps) and not any(
        "TEMP B-TREE" in step for step in steps)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("sort_key", SORT_KEYS)
@pytest.mark.parametrize("sort_dir", ["asc", "desc"])
def test_every_order_walks_its_index(conn, caller, sort_key, sort_dir):
    if sort_key == "location" and caller != "admin":
        pytest.skip("only admins may sort by location")
    steps = plan(conn, CALLERS[caller], {"sort_key": sort_key, "sort_dir": sort_dir})
    if sort_key == "id":
        assert not any("TEMP B-TREE" in step for step in steps), steps
    else:
        assert walks_index(steps, f"ix_images_{sort_key}"), steps


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("sort_key", ["created_at", "name", "size"])
def test_a_deep_page_seeks_into_the_sort_index(conn, caller, sort_key):
    columns = service._order_columns(sort_key)
    position = ["+x" if column.startswith("coalesce") else 5 for column in columns]
    steps = plan(conn, CALLERS[caller], {"sort_key": sort_key}, position)
    assert walks_index(steps, f"ix_images_{sort_key}"), steps


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("sort_key", ["created_at", "name"])
def test_filters_are_checked_along_the_sort_index(conn, caller, filters, sort_key):
    steps = plan(conn, CALLERS[caller], {**filters, "sort_key": sort_key})
    assert walks_index(steps, f"ix_images_{sort_key}"), steps


@pytest.mark.parametrize("caller", CALLERS)
def test_a_name_filter_searches_the_name_index(conn, caller):
    steps = plan(conn, CALLERS[caller], {"name": "image-7"})
    assert any("SEARCH images USING INDEX ix_images_name" in step for step in steps), steps


def test_a_property_filter_searches_the_property_index(conn):
    steps = plan(conn, CALLERS["admin"], {"property-distro": "ubuntu"})
    assert any("ix_image_properties_key_value" in step for step in steps), steps


def test_one_image_with_its_properties_is_one_indexed_search(conn):
    sql = (f"SELECT {service._record_sql(db.SQLITE, properties=True)} FROM images "
           "WHERE id = ? AND deleted = 0")
    steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, (1,))]
    assert steps[0].startswith("SEARCH images USING INTEGER PRIMARY KEY"), steps
    assert any(step.startswith("SEARCH image_properties USING PRIMARY KEY")
               for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps


@pytest.mark.parametrize("caller", CALLERS)
def test_a_detailed_page_finds_each_images_properties_by_key(conn, caller):
    query = validation.parse_list_params({}, CALLERS[caller].is_admin)
    sql, args = service._list_sql(CALLERS[caller], query, None, db.SQLITE, properties=True)
    steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
    assert walks_index(steps, "ix_images_created_at"), steps
    assert any(step.startswith("SEARCH image_properties USING PRIMARY KEY")
               for step in steps), steps
