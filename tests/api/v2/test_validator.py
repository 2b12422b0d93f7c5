"""The JSON-schema subset of `glance.api.v2.validator`."""

import pytest
from hypothesis import given, strategies as st

from glance.api.v2 import schemas, validator
from glance.common import exception

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


@pytest.mark.parametrize("kind,good,bad", [
    ("null", [None], [0, "", False, [], {}]),
    ("boolean", [True, False], [0, 1, "true", None]),
    ("integer", [0, -5, 2**70], [True, 1.0, "1", None]),
    ("number", [0, 1.5, -2], [True, "1", None]),
    ("string", ["", "x"], [1, None, ["x"], b"x"]),
    ("array", [[], [1, "a"]], [(), "ab", {}, None]),
    ("object", [{}, {"a": 1}], [[], None, "{}"]),
])
def test_each_type(kind, good, bad):
    for value in good:
        assert validator.is_valid(value, {"type": kind}), value
    for value in bad:
        assert not validator.is_valid(value, {"type": kind}), value


def test_a_list_of_types_takes_any_of_them():
    schema = {"type": ["null", "string"]}
    assert validator.is_valid(None, schema) and validator.is_valid("x", schema)
    assert not validator.is_valid(3, schema)


def test_enum_compares_as_json_does():
    schema = {"enum": [None, 1, "a"]}
    assert validator.is_valid(None, schema) and validator.is_valid(1, schema)
    assert not validator.is_valid(True, schema)       # True == 1 in Python only
    assert not validator.is_valid("b", schema)


def test_string_lengths_count_characters():
    schema = {"type": "string", "minLength": 2, "maxLength": 3}
    assert validator.is_valid("ééé", schema)
    assert not validator.is_valid("éééé", schema)
    assert not validator.is_valid("é", schema)


def test_pattern_searches_unless_anchored():
    assert validator.is_valid("xaby", {"pattern": "ab"})
    assert not validator.is_valid("xaby", {"pattern": "^ab$"})
    assert validator.is_valid(3, {"pattern": "^ab$"})      # only strings are matched


def test_properties_additional_properties_and_required():
    schema = {"type": "object", "properties": {"a": {"type": "integer"}},
              "additionalProperties": {"type": "string"}, "required": ["a"]}
    assert validator.is_valid({"a": 1, "b": "x"}, schema)
    assert not validator.is_valid({"a": "1"}, schema)
    assert not validator.is_valid({"a": 1, "b": 2}, schema)
    assert not validator.is_valid({"b": "x"}, schema)
    closed = {"properties": {"a": {}}, "additionalProperties": False}
    assert not validator.is_valid({"a": 1, "b": 2}, closed)
    assert validator.is_valid({"a": 1}, closed)


def test_items_are_checked_one_by_one():
    schema = {"type": "array", "items": {"type": "string", "maxLength": 2}}
    assert validator.is_valid(["ab", ""], schema)
    assert list(validator.errors(["ab", "abc"], schema, "'tags'")) == [
        "'tags'[1]: 3 characters is too long (at most 2)"]


def test_annotations_do_not_constrain():
    assert validator.is_valid(5, {"readOnly": True, "description": "d", "writeOnly": True,
                                  "name": "n", "links": [], "title": "t"})


def test_an_unsupported_keyword_is_a_programming_error():
    with pytest.raises(ValueError, match="minimum"):
        validator.is_valid(5, {"type": "integer", "minimum": 0})


def test_messages_name_the_place():
    schema = schemas.SCHEMAS["image"]
    assert next(validator.errors({"name": 5}, schema)) == \
        "'name': 5 is not of type null or string"
    with pytest.raises(exception.Invalid, match="'visibility': 'x' is not one of"):
        validator.validate({"visibility": "x"}, schema)


@pytest.mark.parametrize("name", sorted(schemas.SCHEMAS))
def test_every_schema_uses_only_the_supported_keywords(name):
    # Walking the schema against a document that visits every branch.
    validator.is_valid({}, schemas.SCHEMAS[name])
    stack = [schemas.SCHEMAS[name]]
    while stack:
        node = stack.pop()
        assert set(node) <= validator.KEYWORDS, set(node) - validator.KEYWORDS
        stack.extend(node.get("properties", {}).values())
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                stack.append(node[key])


@given(JSON)
def test_errors_never_raise_on_any_json(document):
    for name in schemas.SCHEMAS:
        list(validator.errors(document, schemas.SCHEMAS[name]))
