"""The known-failures list (known_failures.py) names real tests, each with
a reason: a key that names no test would excuse nothing and linger after a
rename."""

import ast
import os

import pytest

from tests.client import known_failures


@pytest.mark.parametrize("key", sorted(known_failures.KNOWN_FAILURES))
def test_every_key_names_a_test_function(key):
    module, _, name = key.partition("::")
    path = os.path.join(known_failures.TESTS, *module.split("/"))
    assert os.path.exists(path), f"{key}: no such module"
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert name in functions, f"{key}: no such test"
    assert known_failures.KNOWN_FAILURES[key].strip()


def test_only_the_client_and_cli_tests_are_listed():
    assert {key.split("/")[0] for key in known_failures.KNOWN_FAILURES} <= {"client", "cli"}
