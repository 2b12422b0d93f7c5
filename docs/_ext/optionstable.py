"""Tables the docs read from the code at build time, so they cannot drift.

``.. glance-options::`` renders the options table from
`glance.common.config.describe()`; ``.. glance-errors::`` renders the error →
status table from `glance.common.wsgi.STATUS_FOR_ERROR`.  Both tell Sphinx
that the page depends on the module they read, so an incremental build
redoes the page when the code changes.
"""

from http import HTTPStatus

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from glance.common import config, exception, faults

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


def setup(app):
    app.add_directive("glance-options", OptionsTable)
    app.add_directive("glance-errors", ErrorsTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
