"""Every executable is a `console_scripts` entry point of setup.py, and each
one starts: as installed (when this interpreter's environment has it) and as
`python -m` (how the functional tests and the benchmarks start them)."""

import ast
import importlib
import os
import subprocess
import sys

import pytest

from tests.functional.services import ROOT, SCRIPTS

EXPECTED = {"glance", "glance-api", "glance-registry", "glance-manage", "glance-conformance"}


def setup_keywords():
    """The keyword arguments of setup() in setup.py, as literals."""
    with open(os.path.join(ROOT, "setup.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    call = next(node for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup")
    return {kw.arg: kw.value for kw in call.keywords}


def console_scripts():
    entry_points = ast.literal_eval(setup_keywords()["entry_points"])
    pairs = (line.split("=") for line in entry_points["console_scripts"])
    return {name.strip(): target.strip() for name, target in pairs}


def test_every_executable_is_a_console_script_and_nothing_else_is_installed():
    assert set(console_scripts()) == EXPECTED
    assert "scripts" not in setup_keywords()
    assert not os.path.exists(os.path.join(ROOT, "bin"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_entry_point_names_a_callable(name):
    module, _, function = console_scripts()[name].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_test_launcher_runs_the_entry_points_module(name):
    module = console_scripts()[name].partition(":")[0]
    assert SCRIPTS[name] == module
    result = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                            text=True, timeout=60, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_installed_script_runs(name):
    script = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(script):
        pytest.skip(f"{name} is not installed in this environment (make .venv/.installed)")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
