"""The four v2 schemas against what Glance 33 answered (tests/api/v2/data)."""

import json
import os
import re

import pytest

from glance.api.v2 import schemas
from glance.common import fields

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
GLANCE_ID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                     "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$")


def recorded(name):
    with open(os.path.join(DATA, f"schema-{name}.json"), "rb") as answer:
        return answer.read()


def with_our_deviations(document):
    """Glance's document with the contract's two deviations applied: the id
    patterns widened, the format enums ours."""
    if isinstance(document, dict):
        if document.get("pattern") == GLANCE_ID_PATTERN:
            document = dict(document, pattern=GLANCE_ID_PATTERN + "|^[0-9]+$")
        if document.get("description") == "Format of the disk":
            document = dict(document, enum=[None, *fields.DISK_FORMATS])
        if document.get("description") == "Format of the container":
            document = dict(document, enum=[None, *fields.CONTAINER_FORMATS])
        return {key: with_our_deviations(value) for key, value in document.items()}
    if isinstance(document, list):
        return [with_our_deviations(item) for item in document]
    return document


@pytest.mark.parametrize("name", ["image", "images", "member", "members"])
def test_our_schema_is_glance_33s_byte_for_byte_but_for_the_contracts_deviations(name):
    expected = json.dumps(with_our_deviations(json.loads(recorded(name)))).encode()
    assert schemas.BODIES[name] == expected


@pytest.mark.parametrize("name", ["member", "members"])
def test_member_schemas_differ_from_glance_only_in_the_id_pattern(name):
    assert schemas.BODIES[name].replace(b"|^[0-9]+$", b"") == recorded(name)


def test_the_id_pattern_takes_uuids_and_migrated_decimal_ids():
    pattern = schemas.IMAGE_PROPERTIES["id"]["pattern"]
    for good in ("1bea47ed-f6a9-463b-b423-14b9cca9ad27", "1BEA47ED-F6A9-463B-B423-14B9CCA9AD27",
                 "1", "9223372036854775807"):
        assert re.search(pattern, good), good
    for bad in ("", "abc", "1bea47ed-f6a9-463b-b423-14b9cca9ad2", "-1", "1.0", "12a"):
        assert not re.search(pattern, bad), bad


def test_the_format_enums_are_the_field_tables():
    assert schemas.IMAGE_PROPERTIES["disk_format"]["enum"] == [None, *fields.DISK_FORMATS]
    assert schemas.IMAGE_PROPERTIES["container_format"]["enum"] == \
        [None, *fields.CONTAINER_FORMATS]


def test_the_collections_embed_the_item_schemas():
    assert schemas.SCHEMAS["images"]["properties"]["images"]["items"] == schemas.SCHEMAS["image"]
    assert schemas.SCHEMAS["members"]["properties"]["members"]["items"] == \
        schemas.SCHEMAS["member"]


def test_custom_properties_must_be_strings():
    assert schemas.SCHEMAS["image"]["additionalProperties"] == {"type": "string"}


def test_bodies_are_the_documents_with_pythons_default_separators():
    for name, document in schemas.SCHEMAS.items():
        assert json.loads(schemas.BODIES[name]) == document
        assert b'", "' in schemas.BODIES[name] and b'": ' in schemas.BODIES[name]
