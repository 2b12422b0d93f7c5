"""A small JSON-schema validator: the subset the v2 schemas use.

glanceclient validates every image it receives against `/v2/schemas/image`
(with the `jsonschema` package); the API checks request values against the
same declarations.  Both need only these keywords: `type` (a name or a list
of names, `"null"` included), `enum`, `minLength`, `maxLength`, `pattern`,
`properties`, `additionalProperties` (a schema or a boolean), `items` and
`required`.  Annotations (`description`, `readOnly`, `writeOnly`, `name`,
`links`) do not constrain.  Any other keyword raises `ValueError`: a schema
this module cannot check completely is a programming error, never a silent
pass.

As in JSON Schema, `true` and `false` are not integers, and `1.0` is not an
integer either (draft 4, which Glance declares); a `pattern` matches
anywhere unless anchored.
"""

import re

from glance.common import exception

ANNOTATIONS = frozenset(("description", "readOnly", "writeOnly", "name", "links", "title"))
KEYWORDS = frozenset(("type", "enum", "minLength", "maxLength", "pattern", "properties",
                      "additionalProperties", "items", "required")) | ANNOTATIONS

_TYPES = {
    "null": lambda value: value is None,
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}


def errors(instance, schema, where=""):
    """Every way `instance` breaks `schema`, as messages naming the place
    (`where`, e.g. `'images'[0]'name'`); empty when it validates."""
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError(f"unsupported JSON-schema keyword(s): {', '.join(sorted(unknown))}")
    label = where or "the document"
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[name](instance) for name in names):
            yield f"{label}: {_shown(instance)} is not of type {' or '.join(names)}"
            return          # the other keywords assume the right type
    if "enum" in schema and not any(_same(instance, choice) for choice in schema["enum"]):
        choices = ", ".join(_shown(choice) for choice in schema["enum"])
        yield f"{label}: {_shown(instance)} is not one of {choices}"
    if isinstance(instance, str):
        yield from _string_errors(instance, schema, label)
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            yield from errors(item, schema["items"], f"{where}[{index}]")
    if isinstance(instance, dict):
        yield from _object_errors(instance, schema, where, label)


def _string_errors(instance, schema, label):
    if "maxLength" in schema and len(instance) > schema["maxLength"]:
        yield f"{label}: {len(instance)} characters is too long (at most {schema['maxLength']})"
    if "minLength" in schema and len(instance) < schema["minLength"]:
        yield f"{label}: {len(instance)} characters is too short (at least {schema['minLength']})"
    if "pattern" in schema and not re.search(schema["pattern"], instance):
        yield f"{label}: {_shown(instance)} does not match {schema['pattern']!r}"


def _object_errors(instance, schema, where, label):
    for key in schema.get("required", ()):
        if key not in instance:
            yield f"{label}: {key!r} is required"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, value in instance.items():
        place = f"{where}[{key!r}]" if where else repr(key)
        if key in properties:
            yield from errors(value, properties[key], place)
        elif extra is False:
            yield f"{label}: additional property {key!r} is not allowed"
        elif isinstance(extra, dict):
            yield from errors(value, extra, place)


def _same(a, b):
    """JSON equality: `1 == True` in Python, but not in JSON."""
    return type(a) is type(b) and a == b


def _shown(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def is_valid(instance, schema):
    return next(errors(instance, schema), None) is None


def validate(instance, schema, where="", image_id=None):
    """Raise `Invalid` naming the first way `instance` breaks `schema`."""
    message = next(errors(instance, schema, where), None)
    if message is not None:
        raise exception.Invalid(message, image_id=image_id)
