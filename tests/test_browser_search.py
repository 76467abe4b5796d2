"""The search journeys in headless Chromium: a family name with a date of birth,
a previous family name, and who lives at an address. The people looked for are
picked from the generated index; the page must list them with the label saying
what matched. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from rapidfuzz.distance import JaroWinkler
from support.axe import axe_missing, blocking, run_axe, settle
from support.browser import SHOTS, browser_tab, make_demo, require_browser, serving

from core.config import load_config
from core.db import make_engine
from lookup.disclosure import Disclosure
from lookup.explain import SAME_NAME
from lookup.index import LinkedIndex, load_index
from lookup.query import parse_query
from lookup.seen_results import seen_search
from lookup.services import configured_sources
from lookup.text import long_date

require_browser()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("browser-search") / "demo", 1500, 11)


@pytest.fixture(scope="module")
def index(demo: Path) -> LinkedIndex:
    return load_index(make_engine(load_config(demo / "config.toml").storage.index_url))


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[str]:
    with serving(demo / "config.toml") as url:
        yield url


@pytest.fixture
def page(server: str):
    with browser_tab(server) as tab:
        _sign_in(tab)
        yield tab


def _sign_in(page) -> None:
    page.get_by_text("Demo mode").first.wait_for()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Purpose").click()
    page.get_by_role("option", name="New referral (MASH)").click()
    page.get_by_label("Case or referral reference").fill("REF-SEARCH-1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox", name="Last name").wait_for()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _listed(index: LinkedIndex, first: str, last: str, dob: str = "") -> list:
    """What the page will list for a front-door worker (every source, age rules)."""
    every = Disclosure.everything(configured_sources(index.source_loads))
    query = parse_query(first, last, dob, "", date.today())
    return seen_search(index, query, date.today(), 20, every).candidates


def _family_and_dob(index: LinkedIndex) -> tuple[str, date]:
    """A child's family name and date of birth the results list shows them by."""
    people = index.people.filter(pl.col("dob") > date(2012, 1, 1)).sort("person_id")
    for row in people.iter_rows(named=True):
        dob = row["dob"].strftime("%d/%m/%Y")
        found = _listed(index, "", row["last_name"], dob)
        if found and found[0].person_id == row["person_id"]:
            return row["last_name"], row["dob"]
    raise AssertionError("no child in the demo index to look for")


def _previous_name(index: LinkedIndex) -> tuple[str, str, str]:
    """(given name, another family name, the name shown) of someone recorded
    under a family name other than the one shown."""
    names = index.names.filter(pl.col("other") & ~pl.col("part")).with_columns(
        pl.col("person_id", "first", "last").cast(pl.Utf8)
    )
    people = index.people.select("person_id", "first_name", "last_name")
    for row in names.join(people, on="person_id").iter_rows(named=True):
        shown = str(row["last_name"]).lower().replace("-", "").replace(" ", "")
        if JaroWinkler.similarity(row["last"], shown) >= SAME_NAME:
            continue  # a spelling of the name shown, not another name
        found = _listed(index, row["first"], row["last"])
        if found and found[0].person_id == row["person_id"]:
            return row["first"], row["last"], str(row["last_name"]).upper()
    raise AssertionError("nobody in the demo index has another family name")


def test_a_family_name_with_a_date_of_birth(page, index) -> None:
    last, dob = _family_and_dob(index)
    page.get_by_role("textbox", name="Last name").fill(last)
    page.get_by_role("textbox", name="Date of birth (optional)").fill(
        dob.strftime("%d/%m/%Y")
    )
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text("family name; date of birth").first.wait_for()
    page.get_by_text(f"Born {long_date(dob)}").first.wait_for()
    _shot(page, "search-family-name-dob")
    assert last.upper() in page.inner_text("body")


def test_a_previous_family_name(page, index) -> None:
    first, other, shown = _previous_name(index)
    page.get_by_role("textbox", name="First name").fill(first)
    page.get_by_role("textbox", name="Last name").fill(other)
    page.get_by_role("button", name="Search", exact=True).click()
    # "previous surname" where a record states it, else the looser words
    page.get_by_text(
        re.compile("previous or other family name|previous surname")
    ).first.wait_for()
    _shot(page, "search-previous-name")
    assert shown in page.inner_text("body")


def test_who_lives_at_an_address(page, index) -> None:
    last, _ = _family_and_dob(index)
    child = _listed(index, "", last, _family_and_dob(index)[1].strftime("%d/%m/%Y"))[0]
    assert child.postcode
    page.get_by_role("tab", name="Who lives at an address").click()
    page.get_by_role("textbox", name="Postcode").fill(child.postcode.lower())
    page.get_by_role("button", name="Find who lives there").click()
    page.get_by_text(f"at {child.postcode}").first.wait_for()
    _shot(page, "search-address")
    if not axe_missing():  # the accessibility suite fails loudly without it
        settle(page)
        assert blocking(run_axe(page)) == []
    body = page.inner_text("body")
    assert f"{child.first_name} {str(child.last_name).upper()}" in body
    page.get_by_role("button", name="Open family view").first.click()
    page.get_by_text("may hold sensitive information").wait_for()
