"""Streamlit caches are shared by every user of the process: only role-neutral
things (config, engines, the loaded index, the config event) may be cached, and
one role's view must never reach another role."""

from __future__ import annotations

import ast
from pathlib import Path

from support.app_harness import _app, _config, _reason, _search, _sign_in, _texts
from support.lookup_index import make_index

ROOT = Path(__file__).resolve().parent.parent
#: Every cached function in the dashboard, and why it is the same for all users.
ROLE_NEUTRAL = {
    "config": "the config file",
    "index_engine": "a database engine",
    "audit_engine": "a database engine",
    "config_recorded": "the digest recorded once at start",
    "_served": "the build served (the whole linked index, before any role's cut)",
}
#: Parameter names that would make a cache entry depend on who is asking.
PERSONAL = {"actor", "role", "user", "user_id", "reason", "purpose", "case_ref",
            "session", "session_id", "query", "person_id", "policy",
            "view"}  # fmt: skip


def _cached_functions() -> dict[str, tuple[str, list[str]]]:
    """name -> (decorator, parameter names) of every st.cache_* function."""
    found = {}
    for path in [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                name = ast.unparse(target)
                if "cache" in name:
                    params = [a.arg.lstrip("_") for a in node.args.args]
                    found[f"{path.name}:{node.name}"] = (name, params)
    return found


def test_only_role_neutral_functions_are_cached() -> None:
    cached = _cached_functions()
    assert cached, "the scan found no cached function: it is looking in the wrong place"
    assert {k.split(":")[1] for k in cached} <= set(ROLE_NEUTRAL)
    for where, (decorator, params) in cached.items():
        assert decorator == "st.cache_resource", f"{where}: st.cache_data is shared"
        assert not PERSONAL & set(params), f"{where} is keyed by who is asking"


def _open_jane(at):
    at = _search(at, "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    return at.button(key="confirm_open").click().run()


def test_roles_in_one_process_each_get_their_own_view(tmp_path) -> None:
    """Front door, then Early Help, then front door again, on one cached index:
    police detail is shown in full, then contact only, then in full again."""
    index = make_index(tmp_path / "index.db", filler=10).url.database
    views = []
    for user, purpose in [("demo.frontdoor", "New referral (MASH)"),
                          ("demo.earlyhelp", "Early Help request"),
                          ("demo.frontdoor", "New referral (MASH)")]:  # fmt: skip
        folder = tmp_path / f"{len(views)}"
        folder.mkdir()
        config = _config(folder, index)
        at = _open_jane(_reason(_sign_in(_app(config), user), purpose))
        assert at.header[0].value == "Jane SMITH and linked people"
        views.append(_texts(at.markdown))
    full, early_help, again = views
    police_dates = "On 9 August 2021 · Last contact: 1 September 2021"
    assert police_dates in full and police_dates in again
    assert police_dates not in early_help and "9 August 2021" not in early_help
    assert "Ask the lead professional for detail" in early_help
    assert "Ask the lead professional for detail" not in full + again
