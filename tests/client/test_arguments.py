"""How the client spells its requests: ids and uris, list filters, upload chunks."""

import io
import json

import pytest

from glance import client as gc
from glance.client import arguments


UUID = "3f2b7c1e-9a4d-4e2b-8c1a-0d9e8f7a6b5c"


@pytest.mark.parametrize("given, expected", [
    (7, "7"), ("7", "7"), (" 12 ", "12"),
    ("http://glance.example:9292/v1/images/42", "42"),
    ("https://h/images/5/", "5"),
])
def test_image_id_of_gives_the_decimal_id_as_a_string(given, expected):
    assert gc.image_id_of(given) == expected


@pytest.mark.parametrize("given", [UUID, f" {UUID} ", f"http://h:9292/v1/images/{UUID}",
                                   f"https://h/images/{UUID}/"])
def test_image_id_of_accepts_uuids_and_their_uris(given):
    assert gc.image_id_of(given) == UUID


@pytest.mark.parametrize("bad", ["abc", "http://h/v1/images/", "http://h/other/3", -1, True, "",
                                 None, "0", "7.0", "http://h/v1/images/a b"])
def test_image_id_of_refuses_other_things(bad):
    with pytest.raises(ValueError):
        gc.image_id_of(bad)


def test_query_string_spells_booleans_and_properties():
    query = gc.query_string({"is_public": False, "marker": None, "limit": 5,
                             "properties": {"distro": "ubuntu"}, "property_arch": "x86"})
    assert query == "is_public=false&limit=5&property-distro=ubuntu&property-arch=x86"


def test_query_string_spells_changes_since_as_glance_did():
    assert gc.query_string({"changes_since": "2026-01-01T00:00:00"}) == \
        "changes-since=2026-01-01T00%3A00%3A00"


def test_memberships_body_takes_tenant_ids_and_dicts():
    body = arguments.memberships_body(["a", {"member_id": "b", "can_share": 1},
                                       {"member_id": "c", "can_share": False}])
    assert json.loads(body) == {"memberships": [
        {"member_id": "a"}, {"member_id": "b", "can_share": True},
        {"member_id": "c", "can_share": False}]}


@pytest.mark.parametrize("member, segment", [("tenant-b", "tenant-b"), ("a b", "a%20b"),
                                             ("../x", "..%2Fx"), ("ü", "%C3%BC")])
def test_member_segment_quotes_everything_but_unreserved_characters(member, segment):
    assert arguments.member_segment(member) == segment


class NoWholeReads(io.BytesIO):
    """A file that fails if anyone tries to read it whole."""

    def __init__(self, data):
        super().__init__(data)
        self.sizes = []

    def read(self, size=-1):
        assert size is not None and size > 0, "read() of the whole file"
        self.sizes.append(size)
        return super().read(size)


def test_upload_chunks_read_files_in_one_mib_pieces():
    f = NoWholeReads(b"x" * (3 * 2**20 + 5))
    chunks = list(gc.upload_chunks(f))
    assert [len(c) for c in chunks] == [2**20, 2**20, 2**20, 5]
    assert set(f.sizes) == {2**20}


def test_upload_chunks_pass_iterables_through():
    assert list(gc.upload_chunks(iter([b"a", b"bc"]))) == [b"a", b"bc"]


def test_upload_chunks_of_empty_bytes_is_nothing():
    assert list(gc.upload_chunks(b"")) == []


def test_upload_chunks_refuse_text():
    with pytest.raises(TypeError):
        list(gc.upload_chunks("text"))


def test_upload_chunks_refuse_text_files():
    with pytest.raises(TypeError, match="binary"):
        list(gc.upload_chunks(io.StringIO("text")))
