"""Words and text of the `glance` command: `field=value` arguments → image
dicts and list filters; image dicts → tables, blocks and JSON."""

import json

from glance.cli.parser import UsageError
from glance.cli.progress import human_size
from glance.common import fields
from glance.common.imagemeta import CORE_FIELDS, normalise_key

# Every list of fields here comes from the field table (`glance.common.fields`).
_RANGE_KEYS = tuple(f"{name}_{end}" for name in fields.names(filter=fields.RANGE)
                    for end in ("min", "max"))
# The list parameters that are no field's own filter: visibility, changes,
# order, paging.
_LIST_PARAMS = ("is_public", "changes_since", "sort_key", "sort_dir", "marker")
# Words of `add`/`update` that are no field: they ask the server to do
# something (copy the data from a URL) and are not kept with the image.
REQUEST_WORDS = ("copy_from",)
FILTER_KEYS = fields.names(filter=fields.EXACT) + _RANGE_KEYS + _LIST_PARAMS
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
# (field, label) in the order of `glance show`; (title, field) of `glance index`.
BLOCK_FIELDS = [(row.name, row.label)
                for row in sorted((r for r in fields.FIELDS if r.cli_show),
                                  key=lambda r: r.cli_show)]
TABLE_COLUMNS = [(row.cli_index, row.name) for row in fields.FIELDS if row.cli_index]


# -- parsing values ------------------------------------------------------------

def parse_bool(key, text):
    if text.lower() in TRUE_WORDS:
        return True
    if text.lower() in FALSE_WORDS:
        return False
    raise UsageError(f"{key} must be true or false, got {text!r}")


def parse_count(key, text):
    if not (text.isascii() and text.isdigit()):
        raise UsageError(f"{key} must be a non-negative integer, got {text!r}")
    return int(text)


def split_field(arg):
    key, sep, value = arg.partition("=")
    key = normalise_key(key.strip())
    if not sep or not key:
        raise UsageError(f"expected field=value, got {arg!r}")
    return key, value


def parse_fields(args):
    """`field=value` words → image dict (plus the `REQUEST_WORDS` given);
    other keys become properties (`property-KEY=` forces a property even
    when KEY is a core field or a request word)."""
    typed = {fields.INT: parse_count, fields.BOOL: parse_bool}
    return _fields_and_properties(args, CORE_FIELDS + REQUEST_WORDS, {
        name: typed[fields.BY_NAME[name].kind] for name in CORE_FIELDS
        if fields.BY_NAME[name].kind in typed})


def parse_filters(args):
    """`key=value` words → list filters; unknown keys filter properties."""
    return _fields_and_properties(args, FILTER_KEYS, dict.fromkeys(_RANGE_KEYS, parse_count))


def _fields_and_properties(args, known, typed):
    """`key=value` words → {known key: value, "properties": {...}}: keys in
    `known` (converted by typed[key](key, value) where given), the rest and
    every `property-KEY` as properties."""
    fields, properties = {}, {}
    for arg in args:
        key, value = split_field(arg)
        if key.startswith("property_"):
            properties[key[len("property_"):]] = value
        elif key in typed:
            fields[key] = typed[key](key, value)
        elif key in known:
            fields[key] = value
        else:
            properties[key] = value
    if properties:
        fields["properties"] = properties
    return fields


# -- output --------------------------------------------------------------------

def text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _cell(key, value):
    """A field's value as a cell of `glance index`."""
    if fields.BY_NAME[key].unit == "bytes":
        return human_size(value)
    return text(value)


def print_table(say, images):
    """The table of `glance index`: its columns are the field table's."""
    print_rows(say, [title for title, _ in TABLE_COLUMNS],
               [[_cell(key, image.get(key)) for _, key in TABLE_COLUMNS] for image in images],
               [fields.BY_NAME[key].kind == fields.INT for _, key in TABLE_COLUMNS])


def print_rows(say, header, rows, numeric=()):
    """An aligned table of text cells under `header` and a rule; the
    columns flagged in `numeric` are right-aligned, the others left."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    numeric = list(numeric) + [False] * (len(header) - len(numeric))

    def line(cells):
        return "  ".join(cell.rjust(w) if right else cell.ljust(w)
                         for cell, w, right in zip(cells, widths, numeric)).rstrip()

    say(line(header))
    say(line(["-" * w for w in widths]))
    for row in rows:
        say(line(row))


def print_block(say, image):
    for key, label in BLOCK_FIELDS:
        value = image.get(key)
        if value is None:
            continue
        unit = fields.BY_NAME[key].unit
        if unit == "bytes":
            value = f"{value} ({human_size(value)})"
        elif unit:
            value = f"{value} {unit}"
        say(f"{label}: {text(value)}")
    for key, value in sorted((image.get("properties") or {}).items()):
        say(f"Property '{key}': {value}")


def print_json(say, document):
    say(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


def describe(meta):
    parts = [f"{k}={v!r}" for k, v in meta.items() if k != "properties"]
    parts += [f"property {k}={v!r}" for k, v in meta.get("properties", {}).items()]
    return ", ".join(parts) or "no fields"
