"""The folder rules of docs/architecture.md, read from the code's own imports
(every ``import`` and ``from … import``, at module level or inside a function):
the domain folders never reach governance, Streamlit or the presentation, and
the pages run no SQL of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("lookup", "linkage")
#: What a module in lookup/ or linkage/ never imports.
FORBIDDEN_IN_DOMAIN = ("governance", "streamlit", "ui", "cli", "app")
#: What only the ``python -m`` shims of the domain folders may import.
SHIM_MAY_IMPORT = ("cli",)
#: What a page may take from SQLAlchemy: types and errors, never a statement.
UI_SQLALCHEMY = {"sqlalchemy": {"Engine"}, "sqlalchemy.exc": None}


def imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names imported from it) for every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, tuple(a.name for a in node.names)))
    return found


def _under(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def domain_breaches(path: Path) -> list[str]:
    """The imports of a lookup/ or linkage/ module that break the folder rules."""
    shim = path.name == "__main__.py"
    allowed = SHIM_MAY_IMPORT if shim else ()
    return [
        module
        for module, _ in imports(path)
        if _under(module, FORBIDDEN_IN_DOMAIN) and not _under(module, allowed)
    ]


def ui_breaches(path: Path) -> list[str]:
    """The imports of a page that reach the index tables or build SQL."""
    out = []
    for module, names in imports(path):
        if _under(module, ("linkage.index_tables",)):
            out.append(module)
        elif _under(module, ("sqlalchemy",)):
            allowed = UI_SQLALCHEMY.get(module, set())
            if allowed is not None and (not names or set(names) - allowed):
                out.append(f"{module}: {', '.join(names) or '*'}")
    return out


@pytest.mark.parametrize("folder", DOMAIN)
def test_domain_folders_import_no_governance_streamlit_or_presentation(folder):
    breaches = {
        str(p.relative_to(ROOT)): found
        for p in _modules(folder)
        if (found := domain_breaches(p))
    }
    assert breaches == {}


@pytest.mark.parametrize("folder", DOMAIN)
def test_the_python_m_shims_only_hand_over_to_the_command_line(folder):
    shim = ROOT / folder / "__main__.py"
    modules = [m for m, _ in imports(shim)]
    assert modules and all(_under(m, SHIM_MAY_IMPORT) for m in modules), modules
    assert len(shim.read_text(encoding="utf-8").splitlines()) <= 8


def test_pages_run_no_sql_and_never_touch_the_index_tables():
    pages = [*_modules("ui"), ROOT / "app.py"]
    breaches = {str(p.relative_to(ROOT)): f for p in pages if (f := ui_breaches(p))}
    assert breaches == {}


def test_the_rules_catch_what_they_forbid(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\n"
        "def f():\n"
        "    from governance.audit import Actor\n"
        "    from sqlalchemy import select, Engine\n"
        "    from linkage.index_tables import records\n",
        encoding="utf-8",
    )
    assert domain_breaches(bad) == ["streamlit", "governance.audit"]
    assert ui_breaches(bad) == ["sqlalchemy: select, Engine", "linkage.index_tables"]
    ok = tmp_path / "__main__.py"
    ok.write_text("from cli.lookup import main\n", encoding="utf-8")
    assert domain_breaches(ok) == []
    elsewhere = tmp_path / "names.py"
    elsewhere.write_text("from cli.lookup import main\n", encoding="utf-8")
    assert domain_breaches(elsewhere) == ["cli.lookup"]


APP = ("core", "sources", "synthetic", "linkage", "lookup", "governance", "ui", "cli",
       "api")  # fmt: skip


def private_imports(path: Path, package: str) -> list[str]:
    """Private names (``_x``) ``path`` takes from another folder's modules."""
    return [
        f"{module}.{name}"
        for module, names in imports(path)
        if module.split(".")[0] in APP and module.split(".")[0] != package
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]


def test_no_folder_reaches_into_another_folders_private_names():
    breaches = {
        str(p.relative_to(ROOT)): found
        for package in APP
        for p in _modules(package)
        if (found := private_imports(p, package))
    }
    assert breaches == {}


def test_no_test_module_imports_another():
    """Shared helpers live in ``tests/support`` (and fixtures in conftest.py)."""
    tests = sorted((ROOT / "tests").glob("test_*.py"))
    breaches = {
        p.name: found
        for p in tests
        if (
            found := [
                m
                for m, _ in imports(p)
                if m.split(".")[-1].startswith("test_") or m.startswith("tests.test_")
            ]
        )
    }
    assert breaches == {}


def dialect_by_name(path: Path) -> list[int]:
    """Lines of ``path`` that ask an engine's dialect for its name themselves."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "name"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "dialect"
    ]


def test_the_sql_dialect_is_asked_by_name_only_in_core_db():
    helper = ROOT / "core" / "db.py"
    breaches = {
        str(p.relative_to(ROOT)): lines
        for package in APP
        for p in _modules(package)
        if p != helper and (lines := dialect_by_name(p))
    }
    assert breaches == {}
    assert dialect_by_name(helper)


#: What api/ never imports: the pages, Streamlit, the command lines, the index
#: tables (it reads people only through governance.access).
FORBIDDEN_IN_API = ("streamlit", "ui", "cli", "app", "linkage")


def test_the_api_imports_no_pages_streamlit_or_index_tables() -> None:
    breaches = {
        str(p.relative_to(ROOT)): found
        for p in _modules("api")
        if (found := [m for m, _ in imports(p) if _under(m, FORBIDDEN_IN_API)])
    }
    assert breaches == {}
