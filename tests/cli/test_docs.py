"""docs/cli.rst documents every command and every command's options."""

import os
import re

import pytest

from glance.cli.catalog import COMMANDS
from glance.cli.parser import build_parser

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "cli.rst")


@pytest.fixture(scope="module")
def page():
    with open(DOCS, encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_its_usage_line(page, command):
    assert f"``glance {command}" in page


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_of_a_command_is_documented(page, command):
    _, parsers = build_parser(COMMANDS)
    for action in parsers[command]._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert re.search(rf"(?<![\w-]){option}(?![\w-])", page), option
