"""The suite's JSON-schema validator: what glanceclient refuses, it refuses too.

Judged against a copy of Glance 33's image schema (as `/v2/schemas/image`
publishes it, trimmed to the properties that matter here) and small schemas
for each keyword.
"""

import pytest

from conformance.jsonschema import errors

UUID = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"
IMAGE = {
    "name": "image",
    "properties": {
        "id": {"type": "string", "pattern": UUID},
        "name": {"type": ["null", "string"], "maxLength": 255},
        "status": {"type": "string", "readOnly": True,
                   "enum": ["queued", "saving", "active", "killed", "deleted", "uploading",
                            "importing", "pending_delete", "deactivated"]},
        "size": {"type": ["null", "integer"], "readOnly": True},
        "protected": {"type": "boolean"},
        "disk_format": {"type": ["null", "string"], "enum": [None, "raw", "qcow2"]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255}},
        "min_ram": {"type": "integer"},
    },
    "additionalProperties": {"type": "string"},
    "links": [{"rel": "self", "href": "{self}"}],
}
GOOD = {"id": "1bea47ed-f6a9-463b-b423-14b9cca9ad27", "name": None, "status": "active",
        "size": 12716032, "protected": False, "disk_format": None, "tags": ["a"],
        "min_ram": 0, "hw_disk_bus": "virtio"}


def test_a_glance_image_validates():
    assert errors(GOOD, IMAGE) == []


@pytest.mark.parametrize("key, value", [
    ("id", "not-a-uuid"), ("name", "n" * 256), ("name", 5), ("status", "available"),
    ("size", "12"), ("size", True), ("size", 1.5), ("protected", "false"),
    ("protected", 0), ("disk_format", "floppy"), ("tags", "a"), ("tags", ["t" * 256]),
    ("tags", [1]), ("min_ram", None), ("hw_disk_bus", 5), ("hw_disk_bus", None),
])
def test_what_glanceclient_refuses_is_refused(key, value):
    problems = errors({**GOOD, key: value}, IMAGE)
    assert problems and all(p.startswith(f"$.{key}") for p in problems), problems


def test_null_in_an_enum_is_not_the_string_none():
    assert errors({**GOOD, "disk_format": "None"}, IMAGE)


@pytest.mark.parametrize("schema, good, bad", [
    ({"required": ["a"]}, {"a": 1}, {}),
    ({"properties": {"a": {"type": "string"}}, "additionalProperties": False},
     {"a": "x"}, {"a": "x", "b": 1}),
    ({"minimum": 0, "maximum": 2 ** 31 - 1}, 0, 2 ** 31),
    ({"minLength": 2}, "ab", "a"),
    ({"minItems": 1, "maxItems": 2, "uniqueItems": True}, [1, 2], [1, 1]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, None, 1),
    ({"oneOf": [{"type": "integer"}, {"minimum": 5}]}, 2, 7),
    ({"allOf": [{"type": "integer"}, {"minimum": 5}]}, 7, 2),
    ({"not": {"type": "null"}}, 1, None),
    ({"patternProperties": {"^x_": {"type": "integer"}}}, {"x_a": 1}, {"x_a": "1"}),
    ({"items": [{"type": "string"}, {"type": "integer"}]}, ["a", 1], ["a", "b"]),
    ({"pattern": "b"}, "abc", "ac"),
])
def test_keywords(schema, good, bad):
    assert errors(good, schema) == []
    assert errors(bad, schema)


def test_an_unknown_keyword_is_reported_never_passed():
    problems = errors("x", {"type": "string", "contentMediaType": "text/plain"})
    assert problems and "does not know the keyword" in problems[0]


def test_booleans_and_numbers_are_kept_apart():
    assert errors(True, {"enum": [1]})
    assert errors(1, {"enum": [True]})
    assert errors(1, {"enum": [1.0]}) == []
