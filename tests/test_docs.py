"""The documentation builds with warnings as errors and shows what the code says.

Sphinx runs as a subprocess, exactly as `make docs` runs it, into a
temporary directory.  The options table must list every option of
`glance.common.config` (it is generated from it), the error table every
row of the error → status table, the field table every image field of
`glance.common.fields`, and the architecture page its picture.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

from glance.common import config, faults, fields

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None,
    reason="Sphinx is not installed (pip install -e '.[docs]')")


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", DOCS, str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}\n{result.stderr}"
    return out


def read(html, page):
    with open(html / page, encoding="utf-8") as f:
        return f.read()


def test_every_page_is_built(html):
    for page in ("index", "api", "registry", "configuration", "architecture"):
        assert (html / f"{page}.html").is_file()


@pytest.mark.parametrize("name", ["filesystem_store_datadir", "registry_url", "bind_port"])
def test_options_table_has_row(html, name):
    page = read(html, "configuration.html")
    assert f'id="option-{name.replace("_", "-")}"' in page
    assert f"GLANCE_{name.upper()}" in page


def test_options_table_lists_every_option(html):
    page = read(html, "configuration.html")
    for name, _converter, _default, help_text in config.describe():
        assert f"GLANCE_{name.upper()}" in page, name


def test_error_table_lists_every_error(html):
    page = read(html, "api.html")
    for cls, (status, code) in faults.ERRORS.items():
        assert code in page, cls.__name__
        assert faults.status_line(status) in page, cls.__name__


def test_field_table_lists_every_field(html):
    page = read(html, "api.html")
    for row in fields.FIELDS:
        assert f'id="field-{row.name.replace("_", "-")}"' in page, row.name
    for choice in fields.BY_NAME["disk_format"].choices:
        assert choice in page


def test_field_table_says_how_each_field_travels(html):
    page = read(html, "api.html")
    table = page[page.index('class="glance-fields'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == len(fields.FIELDS) + 1      # and the header row
    assert table.count("(read-only)") == len(fields.names(fields.V2_READONLY))
    assert "size_min, size_max" in table


def test_architecture_page_shows_the_picture(html):
    page = read(html, "architecture.html")
    assert "architecture.svg" in page
    assert (html / "_images" / "architecture.svg").is_file()
