"""How the client spells its requests: ids and uris, list filters, upload chunks."""

import io

import pytest

from glance import client as gc


UUID = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"


@pytest.mark.parametrize("given, expected", [
    (7, "7"), ("7", "7"), (" 12 ", "12"), (UUID, UUID),
    ("http://glance.example:9292/v1/images/42", "42"),
    (f"https://h/images/{UUID}/", UUID),
])
def test_image_id_of_accepts_ids_and_uris(given, expected):
    assert gc.image_id_of(given) == expected


@pytest.mark.parametrize("bad", ["abc", "http://h/v1/images/", "http://h/other/3", -1, True, ""])
def test_image_id_of_refuses_other_things(bad):
    with pytest.raises(ValueError):
        gc.image_id_of(bad)


def test_query_string_spells_booleans_and_properties():
    query = gc.query_string({"is_public": False, "marker": None, "limit": 5,
                             "properties": {"distro": "ubuntu"}, "property_arch": "x86"})
    assert query == "is_public=false&limit=5&property-distro=ubuntu&property-arch=x86"


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
