"""Tables the docs read from the code at build time, so they cannot drift.

``.. glance-options::`` renders the options table from
`glance.common.config.describe()`; ``.. glance-errors::`` renders the error →
status table from `glance.common.faults.ERRORS`; ``.. glance-fields::``
renders the image fields from `glance.common.fields.FIELDS`.  Each tells
Sphinx that the page depends on the module it reads, so an incremental
build redoes the page when the code changes.
"""

from http import HTTPStatus

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from glance.common import config, exception, faults, fields

# Converter name (as `describe()` gives it) → what a reader should type.
TYPE_NAMES = {
    "str": "text",
    "int": "integer",
    "to_bool": "boolean (true/false, yes/no, on/off, 1/0)",
    "to_size": "size in bytes (512, 64K, 10M, 1G, 1T)",
    "to_list": "list (comma- or space-separated)",
    "to_port": "port (0-65535)",
    "to_positive_float": "positive number",
    "to_path": "path (made absolute)",
    "one_of": "one of a fixed set (see the description)",
}


def _cell(*children):
    entry = nodes.entry()
    entry += nodes.paragraph("", "", *children)
    return entry


def _text_cell(text):
    return _cell(nodes.Text(text))


def _literal_cell(text):
    return _cell(nodes.literal(text, text))


def _table(headers, widths, rows, classes):
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(_text_cell(title) for title in headers))
    group += head
    body = nodes.tbody()
    body.extend(rows)
    group += body
    return table


def _choices(name):
    """The allowed values of a `one_of` option, when the converter tells them."""
    convert = next((o.convert for o in config.OPTIONS if o.name == name), None)
    choices = getattr(convert, "choices", None)
    if choices is None:
        # `one_of` keeps its choices in its closure; read them from there.
        cells = getattr(convert, "__closure__", None) or ()
        choices = next((c.cell_contents for c in cells
                        if isinstance(c.cell_contents, tuple)
                        and all(isinstance(x, str) for x in c.cell_contents)), None)
    return tuple(choices) if choices else None


def _type_text(name, converter):
    if converter == "one_of":
        choices = _choices(name)
        if choices:
            return "one of: " + ", ".join(choices)
    return TYPE_NAMES.get(converter, converter)


def _default_text(default):
    if isinstance(default, bool):
        return "true" if default else "false"
    if default == "":
        return "(empty)"
    return str(default)


class OptionsTable(SphinxDirective):
    """Every option: name, environment variable, type, default, help."""

    has_content = False

    def run(self):
        self.env.note_dependency(config.__file__)
        rows = []
        for name, converter, default, help_text in config.describe():
            row = nodes.row(ids=[nodes.make_id(f"option-{name}")])
            row += _literal_cell(name)
            row += _literal_cell(config.ENV_PREFIX + name.upper())
            row += _text_cell(_type_text(name, converter))
            row += _literal_cell(_default_text(default))
            row += _text_cell(help_text)
            rows.append(row)
        headers = ("Option", "Environment variable", "Type", "Default", "Meaning")
        return [_table(headers, (22, 28, 18, 22, 40), rows, ["glance-options"])]


class ErrorsTable(SphinxDirective):
    """Every domain error: class, machine code, HTTP status, meaning."""

    has_content = False

    def run(self):
        self.env.note_dependency(faults.__file__)
        self.env.note_dependency(exception.__file__)
        rows = []
        for cls, (status, code) in faults.ERRORS.items():
            doc = (cls.__doc__ or "").strip().splitlines()
            if cls is exception.GlanceError:
                doc = ["Any other failure; the server log has the details."]
            elif not doc:
                doc = [HTTPStatus(status).description + "."]
            row = nodes.row()
            row += _literal_cell(cls.__name__)
            row += _literal_cell(code)
            row += _text_cell(faults.status_line(status))
            row += _text_cell(doc[0])
            rows.append(row)
        headers = ("Error", "code", "Status", "When")
        return [_table(headers, (22, 30, 22, 46), rows, ["glance-errors"])]


_BOUNDS = {fields.MAX_INT: "2⁶³−1", 2**31 - 1: "2³¹−1"}


def _field_type(row):
    """`integer 0 … 2⁶³−1 (bytes)`, `one of: a, b`, `text (≤ 255) or null`, ..."""
    if row.kind == fields.INT:
        text = f"integer {row.minimum} … {_BOUNDS.get(row.maximum, row.maximum)}"
    elif row.kind == fields.ENUM:
        text = "one of: " + ", ".join(row.choices)
    elif row.max_length:
        text = f"{row.kind} (≤ {row.max_length} characters)"
    else:
        text = row.kind
    if row.unit:
        text += f" ({row.unit})"
    return text + (" or null" if row.nullable and row.kind != fields.SET else "")


def _set_by(row):
    if fields.CLIENT in row.roles:
        return "client"
    if row.roles & fields.CREATE:
        return "client, on create"
    if row.roles & fields.SERVER:
        return "server"
    return "registry" if row.roles & fields.COLUMN else "API server"


def _lists(row):
    uses = []
    if row.roles & fields.BRIEF:
        uses.append("brief")
    if row.sort:
        uses.append("sort (as id)" if row.sort == fields.AS_ID else "sort")
    if row.filter == fields.EXACT:
        uses.append("filter")
    elif row.filter == fields.RANGE:
        uses.append(f"{row.name}_min, {row.name}_max")
    return ", ".join(uses) or "—"


def _v1(row):
    where = [w for role, w in ((fields.HEADER, "header"), (fields.DETAIL, "JSON"))
             if row.roles & role]
    text = " and ".join(where) or "—"
    return text + (", admins only" if row.roles & fields.ADMIN else "")


def _v2(row):
    if row.v2 is None:
        return "—"
    return row.v2 + (" (read-only)" if row.roles & fields.V2_READONLY else "")


class FieldsTable(SphinxDirective):
    """Every image field: name, type, who sets it, lists, v1 and v2 spelling, meaning."""

    has_content = False

    def run(self):
        self.env.note_dependency(fields.__file__)
        rows = []
        for field in fields.FIELDS:
            row = nodes.row(ids=[nodes.make_id(f"field-{field.name}")])
            row += _literal_cell(field.name)
            row += _text_cell(_field_type(field))
            row += _text_cell(_set_by(field))
            row += _text_cell(_lists(field))
            row += _text_cell(_v1(field))
            row += _text_cell(_v2(field))
            row += _cell(*self.state.inline_text(field.doc, self.lineno)[0])
            rows.append(row)
        headers = ("Field", "Type", "Set by", "Lists", "v1", "v2", "Meaning")
        return [_table(headers, (16, 18, 10, 14, 12, 14, 36), rows, ["glance-fields"])]


def setup(app):
    app.add_directive("glance-options", OptionsTable)
    app.add_directive("glance-errors", ErrorsTable)
    app.add_directive("glance-fields", FieldsTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
