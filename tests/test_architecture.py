"""docs/architecture.rst names every package and every module of the tree.

The page is where a newcomer learns where things are; a package or module
added without a line there makes it stale, and stale is what issue 12 found.
Each package (a folder with `__init__.py` under `glance/` or `conformance/`)
must have its own entry (``glance/api/v2/`` — …), and each of its modules
must be named in that entry, literally (``images.py``) or by a pattern the
entry spells (``clauses_*.py``).  `conformance/checks/` is named as a folder
of "one module per area" checks: its modules are covered by ``check_*.py``
in the conformance entry.
"""

import fnmatch
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "architecture.rst")
TOP_PACKAGES = ("glance", "conformance")
# Sub-packages described inside their parent's entry rather than their own.
DESCRIBED_BY_PARENT = {"conformance/checks"}
ENTRY = re.compile(r"^``(?P<package>[a-z0-9_/]+)/``(?:, ``[a-z0-9_/]+/``)* — ", re.M)
LITERAL = re.compile(r"``([^`]+)``")


def packages():
    """Package folders (relative, with `/`) under the top packages."""
    found = []
    for top in TOP_PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            if "__init__.py" in files:
                found.append(os.path.relpath(folder, ROOT).replace(os.sep, "/"))
    return sorted(found)


def modules(package):
    names = os.listdir(os.path.join(ROOT, package))
    return sorted(n for n in names if n.endswith(".py") and n != "__init__.py")


def entries(text):
    """{package: the text of its entry}, an entry running to the next one."""
    found = {}
    matches = list(ENTRY.finditer(text))
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else text.find("\nA request, step by step")
        body = text[match.start():end]
        for package in re.findall(r"``([a-z0-9_/]+)/``", body.split("\n", 1)[0]):
            found[package] = body
    return found


def named(module, entry):
    literals = LITERAL.findall(entry)
    return module in literals or any("*" in lit and fnmatch.fnmatch(module, lit)
                                     for lit in literals)


def test_every_package_has_an_entry():
    described = entries(open(PAGE, encoding="utf-8").read())
    missing = [p for p in packages()
               if p != "glance" and p not in described and p not in DESCRIBED_BY_PARENT]
    assert missing == [], f"packages missing from docs/architecture.rst: {missing}"


def test_every_module_is_named_in_its_package_entry():
    described = entries(open(PAGE, encoding="utf-8").read())
    missing = []
    for package in packages():
        if package == "glance":
            continue
        owner = package.rsplit("/", 1)[0] if package in DESCRIBED_BY_PARENT else package
        missing += [f"{package}/{m}" for m in modules(package)
                    if not named(m, described.get(owner, ""))]
    assert missing == [], f"modules missing from docs/architecture.rst: {missing}"


def test_the_checker_notices_a_missing_entry_and_module():
    """The two tests above can fail: an entry and a module taken out are noticed."""
    text = open(PAGE, encoding="utf-8").read()
    without_httpd = re.sub(r"``glance/httpd/`` — .*?(?=\n``glance/cmd/``)", "", text,
                           flags=re.S)
    assert "glance/httpd" in entries(text) and "glance/httpd" not in entries(without_httpd)
    assert not named("pace.py", entries(text)["glance/httpd"].replace("``pace.py``", ""))
