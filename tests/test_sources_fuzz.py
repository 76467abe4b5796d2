"""Property-based: malformed files thrown at every reader (wrong encodings,
ragged rows, binary junk, huge fields, empty files, duplicate headers). No
crash: either a usable load whose rows reconcile (read = accepted +
quarantined), or an unusable one whose problems name the source and file and
never quote a value."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import parse_config
from sources.load import load_source

#: Every data value carries this marker; no message may ever contain it.
MARK = "Qzx"
COLUMNS = {"first_name": "First", "last_name": "Last", "dob": "DOB", "upn": "UPN"}
FUZZ = settings(
    max_examples=25,
    database=None,  # no .hypothesis/ folder in the tree
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

headers = st.lists(
    st.sampled_from(["First", "Last", "DOB", "UPN", "First ", "Notes", ""]),
    min_size=0,
    max_size=6,
)
cells = st.one_of(
    st.text(max_size=12).map(lambda t: MARK + t),
    st.just(MARK + "x" * 100_000),  # a huge field
    st.sampled_from(["", '"', '"\n"', MARK + ",", MARK + "\r\n", MARK + "\x00"]),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=7), max_size=25)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"])


@st.composite
def csv_bytes(draw) -> tuple[bytes, str]:
    """A CSV-ish file and the delimiter the config will claim."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2_000)), ","
    delimiter = draw(st.sampled_from([",", "\t", "|", ";"]))
    lines = [delimiter.join(draw(headers))]
    lines += [delimiter.join(r) for r in draw(rows)]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    data = text.encode(draw(encodings), errors="replace")
    return data, draw(st.sampled_from([delimiter, ","]))


def check(base: Path, **keys) -> None:
    raw = {"name": "fz", "service": "Fuzz", "columns": COLUMNS, **keys}
    config = parse_config({"sources": [raw]}, base)
    load = load_source(config, config.sources[0])
    report = load.report
    text = "\n".join(report.problems)
    assert MARK not in text and MARK not in report.path
    if report.ok:
        assert report.rows_read == report.rows_accepted + report.rows_quarantined
        assert load.records.height == report.rows_accepted
        assert load.quarantine.height == report.rows_quarantined
    else:
        assert report.problems
        assert all("'fz'" in p or "fz" in p.split(":")[0] for p in report.problems)


@FUZZ
@given(csv_bytes(), st.sampled_from(["utf-8", "cp1252"]))
def test_csv_reader_never_crashes(sample, encoding):
    data, delimiter = sample
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "x.csv").write_bytes(data)
        check(Path(tmp), path="x.csv", encoding=encoding, delimiter=delimiter)


@FUZZ
@given(csv_bytes())
def test_ssd_folder_reader_never_crashes(sample):
    data, _ = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "csc"
        folder.mkdir()
        person = b"pers_person_id,pers_forename,pers_surname\n"
        (folder / "ssd_person.csv").write_bytes(person + data)
        address = (
            b"addr_person_id,addr_address_json,addr_address_postcode,"
            b"addr_address_start_date,addr_address_end_date\n"
        )
        (folder / "ssd_address.csv").write_bytes(address + data)
        check(Path(tmp), path="csc", format="ssd_csv", columns={})


frames = st.builds(
    lambda hs, rs: pl.DataFrame(
        [r[: len(hs)] + [None] * (len(hs) - len(r[: len(hs)])) for r in rs],
        schema=[f"{h}{i}" if hs.count(h) > 1 else h for i, h in enumerate(hs)],
        orient="row",
    ),
    headers.filter(lambda h: all(h)),
    st.lists(st.lists(st.text(max_size=8).map(lambda t: MARK + t), max_size=6)),
)


@FUZZ
@given(st.one_of(frames, st.binary(max_size=500)))
def test_parquet_and_excel_readers_never_crash(content):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if isinstance(content, bytes):
            (base / "x.parquet").write_bytes(content)
            (base / "x.xlsx").write_bytes(content)
        else:
            content.write_parquet(base / "x.parquet")
            buffer = io.BytesIO()
            content.write_excel(buffer, worksheet="S")
            (base / "x.xlsx").write_bytes(buffer.getvalue())
        check(base, path="x.parquet", format="parquet")
        check(base, path="x.xlsx", format="excel", sheet="S")
