"""Byte ranges: `glance.api.ranges` and GET /images/<id> with Range/If-Range."""

import pytest
from hypothesis import given, strategies as st

from glance.api import ranges
from glance.common import exception
from tests.api.conftest import md5, upload_headers

DATA = bytes(range(256)) * 40      # 10240 bytes, every offset distinguishable
SIZE = len(DATA)


# -- parse -------------------------------------------------------------------

@pytest.mark.parametrize("header,expected", [
    ("bytes=0-9", (0, 9)),
    ("bytes=10-", (10, SIZE - 1)),
    ("bytes=-100", (SIZE - 100, SIZE - 1)),
    ("bytes=-99999", (0, SIZE - 1)),
    ("bytes=5-99999", (5, SIZE - 1)),
    ("bytes=0-0", (0, 0)),
    ("BYTES = 3 - 4", (3, 4)),
    ("bytes=7-7,", (7, 7)),
    ("bytes=0-", (0, SIZE - 1)),
])
def test_one_range_is_parsed(header, expected):
    assert ranges.parse(header, SIZE) == expected


@pytest.mark.parametrize("header", [
    "bytes=5-2", "bytes=a-b", "bytes=-", "bytes=", "items=0-5", "bytes0-5", "0-5",
    "bytes=0-1,5-6", "bytes=1-2-3", "bytes=" + "9" * 30 + "-", "bytes=--5", "bytes=+1-2",
])
def test_malformed_or_several_ranges_are_ignored(header):
    assert ranges.parse(header, SIZE) is None


@pytest.mark.parametrize("header,size", [
    ("bytes=10240-", SIZE), ("bytes=99999-100000", SIZE), ("bytes=-0", SIZE),
    ("bytes=0-", 0), ("bytes=-5", 0),
])
def test_ranges_past_the_end_are_unsatisfiable(header, size):
    with pytest.raises(exception.RangeNotSatisfiable) as caught:
        ranges.parse(header, size)
    assert caught.value.size == size


@given(st.text(max_size=60), st.integers(min_value=0, max_value=2**63 - 1))
def test_parse_never_fails_unexpectedly(header, size):
    try:
        found = ranges.parse(header, size)
    except exception.RangeNotSatisfiable:
        return
    if found is not None:
        first, last = found
        assert 0 <= first <= last < size


@pytest.mark.parametrize("value,etag,matches", [
    ('"abc"', "abc", True), ("abc", "abc", True), ('"ABC"', "abc", True),
    ('W/"abc"', "abc", False), ('"abd"', "abc", False), ("abc", None, False),
    ("Wed, 21 Oct 2015 07:28:00 GMT", "abc", False),
])
def test_if_range_is_a_strong_etag_comparison(value, etag, matches):
    assert ranges.if_range_matches(value, etag) is matches


# -- through the API -------------------------------------------------------------

@pytest.fixture
def image(app):
    return app.post("/images", DATA, headers=upload_headers(name="r"),
                    status=201).json["image"]


def get(app, image, status, **headers):
    return app.get(f"/images/{image['id']}", headers=headers, status=status)


def test_a_range_answers_206_with_the_slice(app, image):
    res = get(app, image, 206, Range="bytes=100-199")
    assert res.body == DATA[100:200]
    assert res.headers["Content-Range"] == f"bytes 100-199/{SIZE}"
    assert res.headers["Content-Length"] == "100"
    assert res.headers["x-image-meta-size"] == str(SIZE)


def test_an_open_range_sends_the_rest(app, image):
    assert get(app, image, 206, Range="bytes=10000-").body == DATA[10000:]


def test_a_suffix_range_sends_the_last_bytes(app, image):
    res = get(app, image, 206, Range="bytes=-10")
    assert res.body == DATA[-10:]
    assert res.headers["Content-Range"] == f"bytes {SIZE - 10}-{SIZE - 1}/{SIZE}"


def test_a_range_past_the_end_is_416_with_the_size(app, image):
    res = get(app, image, 416, Range=f"bytes={SIZE}-")
    assert res.headers["Content-Range"] == f"bytes */{SIZE}"
    assert res.json["error"]["type"] == "image.range_not_satisfiable"


def test_several_ranges_send_the_whole_image(app, image):
    res = get(app, image, 200, Range="bytes=0-1,5-6")
    assert res.body == DATA and "Content-Range" not in res.headers


def test_if_range_with_the_etag_sends_the_range(app, image):
    assert get(app, image, 206, Range="bytes=5-", **{"If-Range": f'"{md5(DATA)}"'}
               ).body == DATA[5:]
    assert get(app, image, 206, Range="bytes=5-", **{"If-Range": md5(DATA)}).body == DATA[5:]


def test_if_range_with_another_etag_sends_everything(app, image):
    res = get(app, image, 200, Range="bytes=5-", **{"If-Range": '"0123"'})
    assert res.body == DATA


def test_get_and_head_advertise_ranges(app, image):
    assert get(app, image, 200).headers["Accept-Ranges"] == "bytes"
    assert app.head(f"/images/{image['id']}").headers["Accept-Ranges"] == "bytes"


def test_a_range_of_an_image_without_data_is_still_404(app):
    queued = app.post("/images", status=201).json["image"]
    app.get(f"/images/{queued['id']}", headers={"Range": "bytes=0-"}, status=404)
