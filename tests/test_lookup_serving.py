"""A process moving to a newer build: the old build answers until the new one is
loaded, then only the new one is held; a build that fails to load leaves the old
one serving."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import TODAY
from support.lookup_index import BUILD, make_index

from core.errors import IndexNotReadyError
from lookup.artefact import save_prepared
from lookup.index import LinkedIndex, load_index
from lookup.serving import ServedIndex


class _Gated(ServedIndex):
    """Loads wait for ``gate`` (so a test can look while a switch is under way);
    a build named in ``broken`` fails to load."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.broken: set[str] = set()
        self.loads: list[str] = []

    def _load(self, build_id: str) -> LinkedIndex:
        self.gate.wait(10)
        self.loads.append(build_id)
        if build_id in self.broken:
            raise RuntimeError("cannot load")
        return super()._load(build_id)


@pytest.fixture
def served(tmp_path: Path) -> tuple[_Gated, dict]:
    engine = make_index(tmp_path / "index.db", filler=10)
    folder = tmp_path / "prepared"
    index = load_index(engine)
    save_prepared(index, folder)
    save_prepared(replace(index, build_id="build-3"), folder)
    current = {"build": BUILD}
    gated = _Gated(engine, folder, check_seconds=0, current=lambda: current["build"])
    gated.gate.set()
    return gated, current


def test_the_old_build_serves_until_the_new_one_is_ready(served) -> None:
    gated, current = served
    assert gated.get().build_id == BUILD
    gated.gate.clear()
    current["build"] = "build-3"
    assert gated.get().build_id == BUILD  # starts the switch, answers at once
    assert gated.switching
    assert gated.get().build_id == BUILD
    gated.gate.set()
    assert gated.switch_now().build_id == "build-3"
    assert not gated.switching
    assert gated.loads == [BUILD, "build-3"]  # one load per build, not per request
    assert gated.get().build_id == "build-3"


def test_a_build_that_fails_to_load_leaves_the_old_one_serving(served) -> None:
    gated, current = served
    first = gated.get()
    gated.broken.add("build-3")
    current["build"] = "build-3"
    assert gated.switch_now() is first
    gated.broken.clear()
    assert gated.switch_now().build_id == "build-3"  # tried again, then served


def test_a_database_that_is_away_does_not_stop_the_served_build(served) -> None:
    gated, current = served
    first = gated.get()

    def away() -> str:
        raise IndexNotReadyError("cannot be read")

    gated._current = away
    assert gated.get() is first
    assert gated.switch_now() is first


def test_no_build_yet_is_said_and_asked_again(tmp_path: Path) -> None:
    engine = make_index(tmp_path / "index.db", filler=0, built=False)
    served = ServedIndex(engine, tmp_path / "prepared")
    with pytest.raises(IndexNotReadyError):
        served.get()
    assert not served.ready


def _settled(served: ServedIndex) -> LinkedIndex:
    served.get()
    thread = served.recutting
    if thread is not None:
        thread.join(30)
    return served.get()


def test_past_midnight_the_age_cut_is_made_again_for_the_new_day(tmp_path) -> None:
    engine = make_index(tmp_path / "index.db")
    clock = {"day": TODAY}
    served = ServedIndex(engine, None, check_seconds=3600, today=lambda: clock["day"])
    made = _settled(served)
    assert made.age_cut_day == TODAY.isoformat()
    assert "p4" in made.age_cut["person_id"].to_list()  # Tom, 3: police 18+
    clock["day"] = later = TODAY.replace(year=TODAY.year + 20)
    assert served.get() is made  # the day before's answers while it is made
    now = _settled(served)
    assert now.age_cut_day == later.isoformat()
    assert "p4" not in now.age_cut["person_id"].to_list()  # 23 by then
    assert served.get() is now and served.recutting is None  # made once a day
