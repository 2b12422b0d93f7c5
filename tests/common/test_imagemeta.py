"""The x-image-meta-* codec (CONTRACT §3)."""

import pytest
from hypothesis import given, settings, strategies as st

from glance.common import fields, imagemeta
from glance.common.exception import Invalid


def decode(pairs):
    return imagemeta.headers_to_meta(pairs)


def native(text):
    """How a UTF-8 header value arrives in WSGI: bytes decoded as latin-1."""
    return text.encode("utf-8").decode("latin-1")


def test_names_are_case_insensitive_and_dash_equals_underscore():
    meta = decode([("X-Image-Meta-Disk-Format", "qcow2")])
    assert meta["disk_format"] == "qcow2"


def test_property_keys_are_lowercased_with_dashes_as_underscores():
    meta = decode([("X-Image-Meta-Property-Kernel-ID", "42")])
    assert meta["properties"] == {"kernel_id": "42"}


def test_booleans_accept_any_case():
    assert decode([("x-image-meta-is_public", "TRUE")])["is_public"] is True
    assert decode([("x-image-meta-is_public", "False")])["is_public"] is False


def test_bad_boolean_is_invalid_naming_the_field():
    with pytest.raises(Invalid, match="is_public"):
        decode([("x-image-meta-is_public", "yes")])


@pytest.mark.parametrize("value", ["-3", "abc", "1.5", "0x10", "١٢"])
def test_size_must_be_a_non_negative_decimal(value):
    with pytest.raises(Invalid, match="size"):
        decode([("x-image-meta-size", value)])


def test_integers_beyond_int64_are_invalid():
    with pytest.raises(Invalid, match="size"):
        decode([("x-image-meta-size", str(2**63))])


def test_sizes_above_four_gib_are_fine():
    assert decode([("x-image-meta-size", str(5 << 30))])["size"] == 5 << 30


def test_empty_int_and_bool_mean_not_given():
    meta = decode([("x-image-meta-size", ""), ("x-image-meta-is_public", "")])
    assert "size" not in meta and "is_public" not in meta


def test_empty_text_is_null_but_empty_property_is_kept():
    meta = decode([("x-image-meta-name", ""), ("x-image-meta-property-x", "")])
    assert meta["name"] is None
    assert meta["properties"] == {"x": ""}


def test_values_are_stripped():
    assert decode([("x-image-meta-name", "  Ubuntu \t")])["name"] == "Ubuntu"


def test_non_ascii_travels_as_utf8():
    meta = decode([("x-image-meta-name", native("Ubuntu – 日本"))])
    assert meta["name"] == "Ubuntu – 日本"


def test_invalid_utf8_is_invalid():
    with pytest.raises(Invalid, match="UTF-8"):
        decode([("x-image-meta-name", b"\xff\xfe".decode("latin-1"))])


def test_other_headers_are_ignored():
    assert decode([("Content-Type", "x"), ("x-image-meta-bogus", "1")]) == {"properties": {}}


def test_encoding_nulls_booleans_and_integers():
    headers = dict(imagemeta.meta_to_headers(
        {"id": 7, "name": None, "is_public": True, "deleted": False, "size": 0}))
    assert headers == {"x-image-meta-id": "7", "x-image-meta-name": "",
                       "x-image-meta-is_public": "True", "x-image-meta-deleted": "False",
                       "x-image-meta-size": "0"}


def test_answers_leave_null_fields_out_and_send_a_null_size_as_0():
    headers = imagemeta.response_headers(
        {"id": 7, "name": None, "checksum": None, "is_public": False, "size": None,
         "properties": {"empty": ""}})
    assert headers == [("x-image-meta-id", "7"), ("x-image-meta-size", "0"),
                       ("x-image-meta-is_public", "False"), ("x-image-meta-property-empty", "")]


def test_an_answer_read_back_has_its_left_out_fields_null():
    meta = imagemeta.answer_to_meta([("x-image-meta-id", "7"), ("x-image-meta-size", "0")])
    assert meta["id"] == "7" and meta["size"] == 0
    assert all(meta[field] is None for field in imagemeta.CORE_FIELDS
               if field not in ("id", "size"))


@pytest.mark.parametrize("field", [name for name in imagemeta.CORE_FIELDS
                                   if fields.BY_NAME[name].kind in (fields.INT, fields.BOOL)
                                   or name == "id"])
@pytest.mark.parametrize("value", ["None", "none", "NONE", "", "  "])
def test_none_or_empty_means_not_given_for_typed_fields_and_id(field, value):
    assert decode([(f"x-image-meta-{field}", value)]) == {"properties": {}}


@pytest.mark.parametrize("value", ["0", "d41d8cd98f00b204e9800998ecf8427e",
                                   "D41D8CD98F00B204E9800998ECF8427E"])
def test_checksums_of_1_to_32_hex_digits_are_kept(value):
    assert decode([("x-image-meta-checksum", value)])["checksum"] == value


def test_a_longer_checksum_is_invalid_with_glances_words():
    with pytest.raises(Invalid, match="Invalid checksum '" + "x" * 42
                       + "': can't exceed 32 characters"):
        decode([("x-image-meta-checksum", "x" * 42)])


def test_a_non_hex_checksum_is_invalid():
    with pytest.raises(Invalid, match="Invalid checksum 'md5:abc': is not hexadecimal"):
        decode([("x-image-meta-checksum", "md5:abc")])


def test_environ_keys_are_decoded():
    environ = {"HTTP_X_IMAGE_META_DISK_FORMAT": "raw",
               "HTTP_X_IMAGE_META_PROPERTY_ARCH": "x86_64", "HTTP_HOST": "h"}
    assert imagemeta.environ_to_meta(environ) == {
        "disk_format": "raw", "properties": {"arch": "x86_64"}}


@pytest.mark.parametrize("value,expected", [("true", True), ("TRUE", True), (" True ", True),
                                            ("false", False), ("FALSE", False)])
def test_purge_props_is_true_or_false_in_any_case(value, expected):
    environ = {"HTTP_X_GLANCE_REGISTRY_PURGE_PROPS": value}
    assert imagemeta.purge_props(environ) is expected


@pytest.mark.parametrize("environ", [{}, {"HTTP_X_GLANCE_REGISTRY_PURGE_PROPS": ""},
                                     {"HTTP_X_GLANCE_REGISTRY_PURGE_PROPS": " None "},
                                     {"HTTP_X_GLANCE_REGISTRY_PURGE_PROPS": "none"}])
@pytest.mark.parametrize("default", [False, True])
def test_absent_empty_or_none_purge_props_is_the_default(environ, default):
    assert imagemeta.purge_props(environ, default=default) is default


@pytest.mark.parametrize("value", ["yes", "1", "0", "on", "truee", "\xff"])
def test_other_purge_props_values_are_invalid(value):
    with pytest.raises(Invalid, match="x-glance-registry-purge-props"):
        imagemeta.purge_props({"HTTP_X_GLANCE_REGISTRY_PURGE_PROPS": value})


def test_every_header_field_of_the_table_is_decoded_and_encoded():
    """The codec's fields are the table's: adding a header row needs no edit here."""
    assert imagemeta.CORE_FIELDS == fields.names(fields.HEADER)
    for name in imagemeta.CORE_FIELDS:
        row = fields.BY_NAME[name]
        sample = {fields.INT: row.minimum or 0, fields.BOOL: True}.get(row.kind, "0a")
        assert decode(imagemeta.meta_to_headers({name: sample})) == {
            name: sample, "properties": {}}


def test_integers_keep_to_their_rows_range():
    with pytest.raises(Invalid, match="'min_ram' value out of range"):
        decode([("x-image-meta-min_ram", str(2**31))])
    assert decode([("x-image-meta-min_ram", str(2**31 - 1))])["min_ram"] == 2**31 - 1


def test_ids_travel_as_text_for_the_registry_to_judge():
    assert decode([("x-image-meta-id", "0")])["id"] == "0"


# -- round trip: dict → headers → dict is lossless ---------------------------

text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs")),
               min_size=1, max_size=40)
optional_text = st.none() | text
property_key = st.from_regex(r"[a-z0-9_.:]{1,20}", fullmatch=True)
images = st.fixed_dictionaries(
    {
        "id": st.uuids().map(str),
        "size": st.integers(0, 2**63 - 1),
        "is_public": st.booleans(),
        "deleted": st.booleans(),
        "name": optional_text,
        "disk_format": optional_text,
        "checksum": st.none() | st.from_regex(r"[0-9a-fA-F]{1,32}", fullmatch=True),
        "created_at": optional_text,
        "properties": st.dictionaries(property_key, st.just("") | text, max_size=5),
    })


@settings(max_examples=300)
@given(images)
def test_headers_round_trip_without_loss(image):
    assert decode(imagemeta.meta_to_headers(image)) == image


@settings(max_examples=300)
@given(images)
def test_answer_headers_round_trip_with_nulls_by_absence(image):
    full = {**{field: None for field in imagemeta.CORE_FIELDS}, **image}
    assert imagemeta.answer_to_meta(imagemeta.response_headers(full)) == full


@settings(max_examples=200)
@given(st.lists(st.tuples(st.text(max_size=30), st.text(max_size=30)), max_size=8))
def test_decoding_arbitrary_headers_never_raises_anything_but_invalid(pairs):
    try:
        decode([("x-image-meta-" + name, value) for name, value in pairs])
    except Invalid:
        pass
