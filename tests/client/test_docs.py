"""docs/client.rst documents every public method of `Client` and every
exception the package exports."""

import inspect
import os

import pytest

from glance import client as gc

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "client.rst")
METHODS = sorted(name for name, _ in inspect.getmembers(gc.Client, inspect.isfunction)
                 if not name.startswith("_") and name not in ("close", "lost", "release"))


@pytest.fixture(scope="module")
def page():
    with open(DOCS, encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("method", METHODS)
def test_every_method_is_documented_with_its_signature(page, method):
    assert f"``{method}(" in page


@pytest.mark.parametrize("name", [n for n in gc.__all__
                                  if isinstance(getattr(gc, n), type)
                                  and issubclass(getattr(gc, n), Exception)])
def test_every_exception_is_in_the_errors_table(page, name):
    assert f"``{name}``" in page
