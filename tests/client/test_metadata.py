"""The `x-image-meta-*` codec as the client uses it."""

import pytest

from glance import client as gc
from glance.common import imagemeta


def test_meta_headers_refuses_unknown_top_level_keys():
    with pytest.raises(ValueError, match="distro"):
        gc.meta_headers({"name": "a", "distro": "ubuntu"})


def test_meta_headers_types_values_as_the_contract_says():
    headers = dict(gc.meta_headers({"is_public": True, "size": 5, "name": None,
                                    "properties": {"k": "v"}}))
    assert headers == {"x-image-meta-is_public": "True", "x-image-meta-size": "5",
                       "x-image-meta-name": "", "x-image-meta-property-k": "v"}


def test_meta_headers_send_non_ascii_as_utf8_bytes():
    (name, value), = gc.meta_headers({"name": "Ubuntu é"})
    assert value.encode("latin-1") == "Ubuntu é".encode("utf-8")


def test_meta_from_headers_types_values_and_redecodes_utf8():
    wire = lambda text: text.encode("utf-8").decode("latin-1")   # as http.client gives it
    meta = gc.meta_from_headers([
        ("x-image-meta-id", "3"), ("x-image-meta-size", "1024"),
        ("x-image-meta-is_public", "True"), ("x-image-meta-deleted", "False"),
        ("x-image-meta-name", wire("Debian ü")), ("x-image-meta-checksum", ""),
        ("x-image-meta-property-distro", wire("ä")), ("ETag", '"abc"'),
    ])
    absent = {field: None for field in imagemeta.CORE_FIELDS}    # left out: null
    assert meta == {**absent, "id": "3", "size": 1024, "is_public": True, "deleted": False,
                    "name": "Debian ü", "checksum": None, "properties": {"distro": "ä"}}


def test_meta_from_headers_reads_an_absent_field_as_null_and_size_as_zero():
    meta = gc.meta_from_headers([("x-image-meta-id", "3"), ("x-image-meta-status", "queued")])
    assert set(meta) == set(imagemeta.CORE_FIELDS) | {"properties"}
    assert (meta["id"], meta["size"], meta["checksum"], meta["location"]) == \
        ("3", 0, None, None)


def test_meta_from_headers_types_the_new_fields():
    meta = gc.meta_from_headers([
        ("x-image-meta-id", "3"), ("x-image-meta-protected", "True"),
        ("x-image-meta-min_disk", "20"), ("x-image-meta-min_ram", "512"),
        ("x-image-meta-virtual_size", "1024")])
    assert (meta["protected"], meta["min_disk"], meta["min_ram"], meta["virtual_size"]) == \
        (True, 20, 512, 1024)


def test_meta_from_headers_reads_absent_new_fields_as_null():
    meta = gc.meta_from_headers([("x-image-meta-id", "3")])
    assert {meta[f] for f in ("protected", "min_disk", "min_ram", "virtual_size")} == {None}


def test_meta_headers_send_the_new_fields():
    headers = dict(gc.meta_headers({"protected": True, "min_disk": 20, "min_ram": 512}))
    assert headers == {"x-image-meta-protected": "True", "x-image-meta-min_disk": "20",
                       "x-image-meta-min_ram": "512"}


def test_meta_from_headers_refuses_malformed_server_metadata():
    with pytest.raises(gc.ClientError, match="malformed"):
        gc.meta_from_headers([("x-image-meta-size", "lots")])
