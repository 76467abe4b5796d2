"""A build's prepared files: mapped back into the same index the rows give, or
refused with the reason (another build, another release, a file missing, cut
short or changed), and then the build is read from its rows and nothing wrong
is served."""

from __future__ import annotations

import json
import logging
from dataclasses import fields, is_dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from support.lookup_index import BUILD, make_index

from lookup import artefact
from lookup.artefact import (
    PreparedRefused,
    open_prepared,
    prune,
    read_manifest,
    save_prepared,
)
from lookup.family import family_view
from lookup.index import assemble_index, load_index, read_frames
from lookup.query import parse_query
from lookup.search import search

TODAY = date(2026, 11, 20)


def same(a, b, where: str = "index") -> None:  # noqa: ANN001
    """Fail naming the first field where ``a`` and ``b`` differ."""
    assert type(a) is type(b) or (
        isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
    ), where
    if is_dataclass(a):
        for f in fields(a):
            if f.name != "engine":
                same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, pl.DataFrame):
        # categoricals by their text: codes depend on what else the process cast,
        # and prepared files hold them as text (mapped, not registered)
        assert _text(a).schema == _text(b).schema, where
        assert _text(a).equals(_text(b), null_equal=True), where
    elif isinstance(a, pl.Series):
        assert a.dtype == b.dtype and a.name == b.name, where
        assert a.equals(b, check_names=True, null_equal=True), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    else:
        assert a == b, where


def _text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(artefact.as_text())


@pytest.fixture
def index_folder(tmp_path: Path) -> tuple:
    engine = make_index(tmp_path / "index.db", filler=60)
    return engine, tmp_path / "prepared"


def test_prepared_files_give_back_the_index_the_rows_give(index_folder) -> None:
    engine, folder = index_folder
    from_rows = load_index(engine)
    saved = save_prepared(from_rows, folder)
    assert saved == folder / BUILD
    mapped = open_prepared(folder, BUILD)
    same(from_rows, mapped)
    # arrays are mapped from the files, not copied into the process, and served
    # as plain arrays over the mapping (memmap's own indexing runs Python)
    dob_day = mapped.prepared_people.dob_day
    assert type(dob_day) is np.ndarray
    assert isinstance(dob_day.base, np.memmap)
    assert not dob_day.flags.writeable
    served = load_index(engine, folder=folder)
    assert served.engine is engine
    query = parse_query("Jane", "Smith", "03/07/2015", "", TODAY)
    assert search(served, query, TODAY, 5) == search(from_rows, query, TODAY, 5)
    assert family_view(served, "p1", TODAY) == family_view(from_rows, "p1", TODAY)


def test_a_missing_artefact_is_made_from_the_rows_for_the_next_process(
    index_folder, caplog
) -> None:
    engine, folder = index_folder
    with caplog.at_level(logging.INFO, logger="family_context"):
        first = load_index(engine, folder=folder)
    assert _reasons(caplog) == ["missing"]
    assert (folder / BUILD / artefact.MANIFEST).exists()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="family_context"):
        second = load_index(engine, folder=folder)
    assert _reasons(caplog) == []
    assert _sources(caplog) == ["prepared"]
    same(first, second)


def test_another_builds_files_are_never_served(index_folder, caplog) -> None:
    engine, folder = index_folder
    other = replace(load_index(engine), build_id="build-1")
    # the files of build-1 put where build-2's belong
    save_prepared(other, folder, build_id="build-1").rename(folder / BUILD)
    with pytest.raises(PreparedRefused) as refused:
        open_prepared(folder, BUILD)
    assert refused.value.code == "other_build"
    caplog.clear()  # only the load below (the first one's log may be captured too)
    with caplog.at_level(logging.INFO, logger="family_context"):
        served = load_index(engine, folder=folder)
    assert served.build_id == BUILD
    assert _reasons(caplog) == ["other_build"]
    assert _sources(caplog) == ["rows"]


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        ("truncate", "file_size"),
        ("flip", "file_digest"),
        ("delete", "file_missing"),
        ("manifest", "unreadable_manifest"),
        ("release", "other_release"),
    ],
)
def test_a_damaged_artefact_falls_back_to_the_rows(
    index_folder, caplog, damage: str, code: str
) -> None:
    engine, folder = index_folder
    from_rows = load_index(engine)
    built = save_prepared(from_rows, folder)
    target = built / "index.people.arrow"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:-100])
    elif damage == "flip":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif damage == "delete":
        target.unlink()
    elif damage == "manifest":
        (built / artefact.MANIFEST).write_text("{not json")
    else:
        manifest = json.loads((built / artefact.MANIFEST).read_text())
        manifest["release"] = "another"
        (built / artefact.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(PreparedRefused) as refused:
        read_manifest(folder, BUILD)
    assert refused.value.code == code
    with caplog.at_level(logging.INFO, logger="family_context"):
        served = load_index(engine, folder=folder)
    assert _reasons(caplog) == [code]
    assert all(r.levelno == logging.WARNING for r in _refusals(caplog))
    same(from_rows, served)
    # the damaged files were replaced: the next process maps them
    read_manifest(folder, BUILD)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_a_changed_structure_is_refused_not_filled_with_defaults(
    index_folder,
) -> None:
    engine, folder = index_folder
    built = save_prepared(load_index(engine), folder)
    manifest = json.loads((built / artefact.MANIFEST).read_text())
    del manifest["root"]["fields"]["restricted_people"]  # has a default
    (built / artefact.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(PreparedRefused) as refused:
        open_prepared(folder, BUILD)
    assert refused.value.code == "other_fields"


def test_what_cannot_be_saved_is_refused_at_save_time(index_folder) -> None:
    engine, folder = index_folder
    index = load_index(engine)
    with pytest.raises(TypeError, match="restricted_people"):
        save_prepared(replace(index, restricted_people=object()), folder)
    odd = replace(index.prepared_people, flagged=np.array([object()]))
    with pytest.raises(TypeError, match="Python objects"):
        save_prepared(replace(index, prepared_people=odd), folder)
    assert list(folder.iterdir()) == []  # nothing half-written left


def test_assembling_from_a_builds_own_frames_equals_reading_its_rows(
    index_folder,
) -> None:
    from lookup.index import stored_frames

    engine, _ = index_folder
    frames = read_frames(engine, BUILD)
    # as a build holds them: columns in another order, wider types, extra columns
    loose = {
        name: frame.select(reversed(frame.columns)).with_columns(
            pl.col(pl.Int64).cast(pl.Float64), pl.lit(1).alias("extra")
        )
        for name, frame in frames.items()
    }
    same(assemble_index(BUILD, frames), assemble_index(BUILD, stored_frames(loose)))


def test_prune_keeps_the_builds_asked_for(index_folder) -> None:
    engine, folder = index_folder
    index = load_index(engine)
    for build in ("a", "b", "c"):
        save_prepared(index, folder, build_id=build)
    assert sorted(prune(folder, {"b", "c"})) == ["a"]
    assert sorted(p.name for p in folder.iterdir()) == ["b", "c"]


def _refusals(caplog) -> list:  # noqa: ANN001
    return [r for r in caplog.records if r.getMessage() == "index_prepared_refused"]


def _reasons(caplog) -> list[str]:  # noqa: ANN001
    return [r.fields["reason_code"] for r in _refusals(caplog)]


def _sources(caplog) -> list[str]:  # noqa: ANN001
    loaded = [r for r in caplog.records if r.getMessage() == "index_loaded"]
    return [r.fields["source"] for r in loaded]


def test_a_build_leaves_the_prepared_files_of_what_it_switched_to(
    small_extracts, private_copy
) -> None:
    from core.config import load_config
    from core.db import make_engine
    from linkage.build import build_index
    from lookup.artefact import prepared_folder
    from lookup.build_files import saver

    config = load_config(private_copy(small_extracts) / "config.toml")
    engine = make_engine(config.storage.index_url)
    folder = prepared_folder(config)
    first = build_index(config, on_written=saver(engine, folder))
    assert "prepare" in first.seconds
    second = build_index(config, on_written=saver(engine, folder))
    # the build served while the second was made is kept, nothing older
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [first.build_id, second.build_id]
    )
    # the age cut the build made from its own records is the one the rows give
    mapped = open_prepared(folder, second.build_id)
    assert mapped.age_cut is not None
    same(load_index(engine), mapped)
    third = build_index(config, on_written=saver(engine, folder))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [second.build_id, third.build_id]
    )


def test_prepared_frames_hold_text_not_categoricals(index_folder) -> None:
    engine, folder = index_folder
    from_rows = load_index(engine)
    assert from_rows.records.schema["source"] == pl.Categorical
    mapped = open_prepared(save_prepared(from_rows, folder).parent, BUILD)
    assert mapped.records.schema["source"] == pl.Utf8
