"""A small JSON-schema validator: what glanceclient does with `/v2/schemas/image`.

glanceclient (through `warlock` and `jsonschema`) validates every image it
receives against the schema the server publishes, and refuses the image when
one value does not fit.  The suite must judge that without importing the
server's code or any third-party validator, so this module implements the
part of JSON Schema (draft 4, as Glance writes its schemas) that those
schemas use: ``type`` (one name or a list), ``enum``, ``minLength``,
``maxLength``, ``pattern`` (searched, not anchored, as the standard says),
``minimum``, ``maximum``, ``properties``, ``additionalProperties`` (a
boolean or a schema), ``items``, ``required``, ``minItems``, ``maxItems``,
``uniqueItems`` and the combinators ``allOf``, ``anyOf``, ``oneOf``, ``not``.
Annotations (``description``, ``readOnly``, ``writeOnly``, ``links``,
``name``, ``format``) are ignored, as `jsonschema` ignores them by default.
A keyword it does not know is reported, never silently passed: a validator
that skipped a rule would accept what glanceclient refuses.
"""

import re

ANNOTATIONS = {"description", "readOnly", "writeOnly", "links", "name", "format", "title",
               "default", "$schema", "id", "example", "examples", "deprecated"}
KNOWN = ANNOTATIONS | {"type", "enum", "minLength", "maxLength", "pattern", "minimum",
                       "maximum", "properties", "additionalProperties", "items", "required",
                       "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf",
                       "not", "patternProperties"}


def is_type(value, name):
    """Draft 4's primitive types; booleans are not numbers, 1.0 is not an integer."""
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    raise ValueError(f"unknown JSON-schema type {name!r}")


def errors(value, schema, path="$"):
    """Every way `value` breaks `schema`, as "<path>: <reason>" strings ([] when valid)."""
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{path}: no value is allowed here"]
    if not isinstance(schema, dict):
        return [f"{path}: the schema is not an object ({schema!r})"]
    out = [f"{path}: the suite's validator does not know the keyword {k!r}"
           for k in schema if k not in KNOWN]
    wanted = schema.get("type")
    if wanted is not None:
        names = wanted if isinstance(wanted, list) else [wanted]
        try:
            ok = any(is_type(value, n) for n in names)
        except ValueError as exc:
            return out + [f"{path}: {exc}"]
        if not ok:
            return out + [f"{path}: {value!r} is not of type {' or '.join(names)}"]
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        out.append(f"{path}: {value!r} is not one of {schema['enum']!r}")
    if isinstance(value, str):
        out += _string(value, schema, path)
    if is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: {value!r} is less than the minimum {schema['minimum']!r}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: {value!r} is more than the maximum {schema['maximum']!r}")
    if isinstance(value, dict):
        out += _object(value, schema, path)
    if isinstance(value, list):
        out += _array(value, schema, path)
    out += _combinators(value, schema, path)
    return out


def _same(a, b):
    # JSON equality: 1 == True in Python, never in JSON.
    return type(a) is type(b) and a == b or (is_type(a, "number") and is_type(b, "number")
                                              and a == b)


def _string(value, schema, path):
    out = []
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(f"{path}: {value[:40]!r}… is longer than {schema['maxLength']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(f"{path}: {value!r} is shorter than {schema['minLength']}")
    if "pattern" in schema and re.search(schema["pattern"], value) is None:
        out.append(f"{path}: {value!r} does not match {schema['pattern']!r}")
    return out


def _object(value, schema, path):
    out = []
    props = schema.get("properties") or {}
    patterns = schema.get("patternProperties") or {}
    for name in schema.get("required") or ():
        if name not in value:
            out.append(f"{path}: the required key {name!r} is missing")
    for key, item in value.items():
        where = f"{path}.{key}"
        matched = False
        if key in props:
            out += errors(item, props[key], where)
            matched = True
        for rx, sub in patterns.items():
            if re.search(rx, key):
                out += errors(item, sub, where)
                matched = True
        if not matched and "additionalProperties" in schema:
            out += errors(item, schema["additionalProperties"], where)
    return out


def _array(value, schema, path):
    out = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        out.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        out.append(f"{path}: more than {schema['maxItems']} items")
    if schema.get("uniqueItems"):
        seen = []
        for item in value:
            if any(_same(item, s) for s in seen):
                out.append(f"{path}: {item!r} appears twice (uniqueItems)")
            seen.append(item)
    items = schema.get("items")
    if isinstance(items, dict):
        for n, item in enumerate(value):
            out += errors(item, items, f"{path}[{n}]")
    elif isinstance(items, list):
        for n, (item, sub) in enumerate(zip(value, items)):
            out += errors(item, sub, f"{path}[{n}]")
    return out


def _combinators(value, schema, path):
    out = []
    for sub in schema.get("allOf") or ():
        out += errors(value, sub, path)
    if "anyOf" in schema and not any(not errors(value, s, path) for s in schema["anyOf"]):
        out.append(f"{path}: {value!r} matches none of anyOf")
    if "oneOf" in schema:
        n = sum(1 for s in schema["oneOf"] if not errors(value, s, path))
        if n != 1:
            out.append(f"{path}: {value!r} matches {n} of oneOf, not exactly one")
    if "not" in schema and not errors(value, schema["not"], path):
        out.append(f"{path}: {value!r} matches the schema under `not`")
    return out
