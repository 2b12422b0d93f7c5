"""Words and text of the `glance` command: `field=value` arguments → image
dicts and list filters; image dicts → tables, blocks and JSON."""

import json

from glance.cli.parser import UsageError
from glance.cli.progress import human_size
from glance.common.imagemeta import CORE_FIELDS, normalise_key

FILTER_KEYS = ("name", "status", "type", "disk_format", "container_format",
               "size_min", "size_max", "is_public", "sort_key", "sort_dir", "marker")
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
BLOCK_FIELDS = [("uri", "URI"), ("id", "Id"), ("is_public", "Public"), ("name", "Name"),
                ("status", "Status"), ("size", "Size"), ("disk_format", "Disk format"),
                ("container_format", "Container format"), ("type", "Type"),
                ("checksum", "Checksum"), ("store", "Store"), ("location", "Location"),
                ("owner", "Owner"), ("created_at", "Created at"),
                ("updated_at", "Updated at"), ("deleted_at", "Deleted at")]
TABLE_COLUMNS = [("ID", "id"), ("Name", "name"), ("Disk Format", "disk_format"),
                 ("Container Format", "container_format"), ("Size", "size")]


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
    """`field=value` words → image dict; non-core keys become properties
    (`property-KEY=` forces a property even when KEY is a core field)."""
    return _fields_and_properties(args, CORE_FIELDS, {
        "id": parse_count, "size": parse_count,
        "is_public": parse_bool, "deleted": parse_bool})


def parse_filters(args):
    """`key=value` words → list filters; unknown keys filter properties."""
    return _fields_and_properties(args, FILTER_KEYS,
                                  {"size_min": parse_count, "size_max": parse_count})


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


def print_table(say, images):
    rows = [[str(image.get("id", "")), text(image.get("name")),
             text(image.get("disk_format")), text(image.get("container_format")),
             human_size(image.get("size"))] for image in images]
    header = [title for title, _ in TABLE_COLUMNS]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]

    def line(cells):   # numbers right-aligned, text left-aligned
        return "  ".join(cell.rjust(w) if i in (0, 4) else cell.ljust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    say(line(header))
    say(line(["-" * w for w in widths]))
    for row in rows:
        say(line(row))


def print_block(say, image):
    for key, label in BLOCK_FIELDS:
        value = image.get(key)
        if value is None:
            continue
        if key == "size":
            value = f"{value} ({human_size(value)})"
        say(f"{label}: {text(value)}")
    for key, value in sorted((image.get("properties") or {}).items()):
        say(f"Property '{key}': {value}")


def print_json(say, document):
    say(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


def describe(meta):
    parts = [f"{k}={v!r}" for k, v in meta.items() if k != "properties"]
    parts += [f"property {k}={v!r}" for k, v in meta.get("properties", {}).items()]
    return ", ".join(parts) or "no fields"
