"""The layering DESIGN.md promises: a Flask-free core, and one explicit applier per kind."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

from app.register.appliers import APPLIERS

ROOT = Path(__file__).resolve().parent.parent
# The packages that hold the domain: only they may write log entries.
CORE_MODULES = [
    "app.ledger",
    "app.register",
    "app.interchange",
    "app.transfers",
    "app.disclosures",
    "app.notices",
    "app.notifications",
    "app.jobs",
]
CORE_PACKAGES = [Path(*name.split(".")) for name in CORE_MODULES]
# Importing a package installs its appliers, as the app does; without this the table would
# depend on which tests happened to create an app first.
for _module in CORE_MODULES:
    importlib.import_module(_module)

BLOCK_FLASK = """
import importlib.abc, sys

class BlockWeb(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {"flask", "flask_login", "flask_smorest", "flask_wtf", "werkzeug"}:
            raise ImportError(f"{name} is blocked: the core must not import it")
        return None

sys.meta_path.insert(0, BlockWeb())
import pkgutil, importlib
for package_name in sys.argv[1:]:
    package = importlib.import_module(package_name)
    for module in pkgutil.walk_packages(package.__path__, package_name + "."):
        importlib.import_module(module.name)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in {"flask", "werkzeug"})
assert not loaded, loaded
print("imported without Flask")
"""


def test_the_core_imports_with_flask_blocked():
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_FLASK, *CORE_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "imported without Flask" in result.stdout


def test_blocking_flask_really_blocks_it():
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_FLASK, "app.commands"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "blocked" in result.stderr


# What an entry kind looks like: "<thing>.<what happened>", e.g. "shares.issued".
KIND = re.compile(r"^[a-z]+\.[a-z]+(_[a-z]+)*$")
NOT_KINDS = {"appliers.py"}  # the table itself does not count as writing a kind
# Strings of the same shape that are not kinds: module paths, session keys, file names.
NOT_KIND_PREFIXES = ("app.", "tests.", "shareledger.")
NOT_KIND_SUFFIXES = (".html", ".json", ".csv", ".zip", ".txt", ".md")


def _kinds_written_by_the_code() -> set[str]:
    """Every string in the code, docstrings aside, that has the shape of an entry kind and
    is not a module path."""
    kinds: set[str] = set()
    paths = [path for package in CORE_PACKAGES for path in (ROOT / package).rglob("*.py")]
    for path in paths:
        if path.name in NOT_KINDS:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        kinds.update(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and KIND.match(node.value)
            and not node.value.startswith(NOT_KIND_PREFIXES)
            and not node.value.endswith(NOT_KIND_SUFFIXES)
        )
    return kinds


def test_every_kind_written_has_an_applier_and_every_applier_is_written():
    written = _kinds_written_by_the_code()
    assert {"shares.issued", "transfer.settled"} <= written, "the scan is broken"
    assert written - APPLIERS.keys() == set(), "kinds written without an applier"
    assert APPLIERS.keys() - written == set(), "appliers for kinds nothing writes"


# Entry points (API views, pages, CLI commands) read through the query modules
# (app/register/queries.py, app/ledger/log.py); none writes its own select().
ENTRY_POINT_PACKAGES = ("app/api", "app/web", "app/cli")
VIEWS_WITHOUT_SQL = sorted(
    str(path.relative_to(ROOT))
    for package in ENTRY_POINT_PACKAGES
    for path in (ROOT / package).rglob("*.py")
)


def _select_calls(path: Path) -> list[int]:
    """The lines calling `select(...)` or `<anything>.select(...)`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "select")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "select")
        )
    ]


def test_views_write_no_sql():
    found = {name: _select_calls(ROOT / name) for name in VIEWS_WITHOUT_SQL}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_sql_scan_sees_a_select():
    assert _select_calls(ROOT / "app/register/queries.py")
