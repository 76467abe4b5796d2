"""The search page's states in AppTest: many results (capped), possible matches
shown apart, restricted placeholders, the optional refinements, no results."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.app_harness import (
    _app,
    _config,
    _events,
    _reason,
    _search,
    _sign_in,
    _texts,
)

from core.db import make_engine
from governance.audit import Actor
from governance.restrictions import RESTRICTED_MESSAGE, set_restriction
from ui.layout import DEMO_BANNER
from ui.search_page import POSSIBLE_HEADING


def _in_order(at: AppTest) -> list[str]:
    """Headings and Markdown texts in page order (the demo banner left out)."""
    kinds = ("subheader", "markdown")
    return [str(el.value) for el in at.main if getattr(el, "type", "") in kinds
            and DEMO_BANNER not in str(el.value)]  # fmt: skip


def _worker(config: Path) -> AppTest:
    return _reason(_sign_in(_app(config), "demo.frontdoor"))


def test_possible_matches_are_listed_apart(tmp_path, index_db) -> None:  # noqa: F811
    at = _search(_worker(_config(tmp_path, index_db)), "Jane", "Smith", "03/07/2015")
    texts = _in_order(at)
    apart = texts.index(POSSIBLE_HEADING)
    assert texts[0] == "3 people found"
    assert any("Jane SMYTH" in t for t in texts[:apart])  # not in the review band
    assert any("Jane SMITH" in t for t in texts[apart:])  # p1, paired with p8
    assert any("Jayne SMITH" in t for t in texts[apart:])
    assert not any("SMITH" in t and "####" in t for t in texts[:apart])


def test_many_results_are_capped_and_say_so(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[app]\n", "[app]\nmax_results = 2\n"))
    at = _search(_worker(config), "Jane", "Smith")
    assert at.subheader[0].value == "2 people found"
    # three fit the name (Jane and Jayne Smith, Jane Smyth): the page says so
    assert "3 people fit what you gave; only the best 2 are listed. Add the date " \
        "of birth" in _texts(at.info)  # fmt: skip
    shown = _events(config)[-1]["data"]
    assert (shown["count"], shown["fitting"]) == (2, 3)
    at = _search(_worker(config), "Jayne", "Smith", "03/07/2015")
    assert "Only the best 2 matches are shown" in _texts(at.info)  # weaker ones


def test_a_family_name_with_a_date_of_birth(tmp_path, index_db) -> None:
    at = _search(_worker(_config(tmp_path, index_db)), "Baby", "Smith", "03/07/2015")
    texts = _in_order(at)
    assert texts[0] == "2 people found"
    assert "family name; date of birth" in str(texts)
    assert _events(_config(tmp_path, index_db))[-2]["data"]["criteria"] == {
        "first": "",
        "last": "Smith",
        "dob": "2015-07-03",
    }


def test_who_lives_at_an_address(tmp_path, index_db) -> None:
    config = _config(tmp_path, index_db)
    at = _worker(config)
    at.text_input(key="a_postcode").input("dt1 1aa")
    at = at.button(key="FormSubmitter:address_search-Find who lives there").click()
    at = at.run()
    assert at.subheader[0].value == "1 household at DT1 1AA"
    texts = _in_order(at)
    assert "#### 1 Demo Road, Demo Town" in texts
    assert any("Jane SMITH" in t for t in texts)
    asked, shown = _events(config)[-2:]
    assert asked["data"]["criteria"] == {"kind": "address", "postcode": "DT11AA"}
    assert "p1" in shown["data"]["person_ids"]
    opened = next(b for b in at.button if b.key == "open_p2")
    at = opened.click().run()
    assert at.button(key="confirm_open") is not None


def test_fewer_results_than_the_cap_say_nothing_about_it(tmp_path, index_db) -> None:  # noqa: F811
    at = _search(_worker(_config(tmp_path, index_db)), "Jane", "Smith", "03/07/2015")
    assert "Only the best" not in _texts(at.info)


def test_age_range_and_postcode_refine_the_search(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = _worker(config)
    at.text_input(key="q_postcode").input("dt1 1aa")
    at.text_input(key="q_age_min").input("0")
    at.text_input(key="q_age_max").input("17")
    at = _search(at, "Jane", "Smith")
    assert "Jane SMYTH" not in _texts(at.markdown)  # 25 years old
    assert "Previously: 9 Old Lane, Demo Town" in _texts(at.markdown)
    criteria = _events(config)[-2]["data"]["criteria"]
    assert (criteria["postcode"], criteria["age_min"], criteria["age_max"]) == (
        "DT11AA", 0, 17)  # fmt: skip


def test_restricted_person_is_only_a_placeholder(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = _worker(config)
    admin = Actor("demo.admin", "Admin", "administrator", "s-a")
    set_restriction(make_engine(f"sqlite:///{tmp_path}/audit.db"), admin, "p1",
                    "protected_address")  # fmt: skip
    at = _search(at, "Jane", "Smith", "03/07/2015")
    texts = _in_order(at)
    assert f"#### {RESTRICTED_MESSAGE}" in texts
    assert "open_p1" not in [b.key for b in at.button]
    assert "override_p1" in [b.key for b in at.button]
    assert not any("Jane SMITH" in t for t in texts)


def test_identifier_with_no_match_gives_tips(tmp_path, index_db) -> None:  # noqa: F811
    at = _worker(_config(tmp_path, index_db))
    at.text_input(key="q_id").input("943 476 5005")
    at = at.button(key="FormSubmitter:search-Search").click().run()
    assert at.subheader[0].value == "No matching people found"
    assert "search by NHS number, UPN or case number" in _texts(at.markdown)
