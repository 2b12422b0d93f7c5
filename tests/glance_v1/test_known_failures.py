"""The lists of known_failures.py name real tests, each once, each with one line."""

import importlib
import inspect
import pkgutil

import tests.glance_v1 as package
from tests.glance_v1.known_failures import DELIBERATE, KNOWN_FAILURES


def _test_names():
    names = set()
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("test_"):
            loaded = importlib.import_module(f"{package.__name__}.{module.name}")
            names |= {name for name, value in vars(loaded).items()
                      if name.startswith("test_") and inspect.isfunction(value)}
    return names


def test_listed_names_are_tests():
    assert set(KNOWN_FAILURES) | set(DELIBERATE) <= _test_names()


def test_no_test_is_listed_twice():
    assert not set(KNOWN_FAILURES) & set(DELIBERATE)


def test_reasons_are_one_line():
    for name, reason in {**KNOWN_FAILURES, **DELIBERATE}.items():
        assert reason.strip() and "\n" not in reason, name
