"""The excuse lists name real tests, each with a reason.

A key that names no test would excuse nothing and linger after a rename.
(A test may be in both lists: it fails on ours today and tests an extension
real Glance cannot pass.)
"""

import importlib
import os

import pytest

from tests.compat import known_failures

HERE = os.path.dirname(os.path.abspath(__file__))
LISTS = {"KNOWN_FAILURES": known_failures.KNOWN_FAILURES,
         "REAL_GLANCE_CANNOT": known_failures.REAL_GLANCE_CANNOT}


def _tests_in(module_file):
    module = importlib.import_module(f"tests.compat.{module_file[:-3]}")
    return {name for name in dir(module) if name.startswith("test_")}


@pytest.mark.parametrize("list_name", sorted(LISTS))
def test_every_key_names_a_compat_test(list_name):
    for key, reason in LISTS[list_name].items():
        module_file, _, test_name = key.partition("::")
        assert os.path.exists(os.path.join(HERE, module_file)), f"{list_name}: {key}"
        assert test_name in _tests_in(module_file), f"{list_name}: {key} names no test"
        assert reason.strip(), f"{list_name}: {key} has no reason"

