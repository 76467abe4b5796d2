"""The SSD readers' per-row steps on mixed extracts: the loose address reading
applies only where strict JSON fails, rows keep their order, and a person's
linked identifier is the newest valid one (else the newest, kept as a fault)."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from sources.readers.ssd_address import parts
from sources.readers.ssd_person import linked_ids

EMPTY = dict.fromkeys(
    ("ROOM", "FLOOR", "FLAT", "BUILDING", "HOUSE", "STREET", "TOWN", "UPRN",
     "EASTING", "NORTHING"), "",
)  # fmt: skip


def _json(**given: str) -> str:
    return json.dumps(EMPTY | given)


def _unescaped(**given: str) -> str:
    body = ", ".join(f'"{k}": "{v}"' for k, v in (EMPTY | given).items())
    return "{" + body + "}"


def test_parts_reads_strict_loose_and_plain_rows_in_their_order():
    texts = [
        _json(HOUSE="12", STREET="Mill Lane", TOWN="Leek"),
        _unescaped(BUILDING='The "Old" Mill', STREET="Canal St", TOWN="Hyde"),
        "3 Rose Court, Hyde SK14 2AB",
        _json(FLAT="2A", STREET="High St", UPRN="100012"),
    ]
    out = parts(pl.DataFrame({"addr_address_json": texts, "n": [1, 2, 3, 4]}))
    assert out["n"].to_list() == [1, 2, 3, 4]
    assert out["__STREET"].to_list() == ["Mill Lane", "Canal St", None, "High St"]
    assert out["__BUILDING"].to_list() == [None, 'The "Old" Mill', None, None]
    assert out["__plain"].to_list() == [None, None, "3 Rose Court, Hyde SK14 2AB", None]
    assert out["__UPRN"].to_list() == [None, None, None, "100012"]
    assert not any(c.startswith("__row") or c == "__object" for c in out.columns)


def test_linked_ids_take_the_newest_valid_value_else_the_newest():
    linked = pl.DataFrame(
        {
            "link_person_id": ["p1", "p1", "p1", "p2", "p2", "p3"],
            "link_identifier_type": ["NHS", "NHS", "UPN", "NHS", "NHS", "Former NHS"],
            "link_identifier_value": [
                "9434765919",
                "1234567890",
                "A123456789012",
                "1111111111",
                "2222222222",
                "9434765919",
            ],
            "link_valid_from_date": [
                "2019-01-01",
                "2023-01-01",
                "2020-01-01",
                "2018-01-01",
                "2021-01-01",
                "2020-01-01",
            ],
            "link_valid_to_date": [None] * 6,
        },
        schema_overrides={"link_valid_to_date": pl.String},
    )
    out = linked_ids(linked, "%Y-%m-%d", date(2025, 3, 28)).sort("link_person_id")
    rows = {r["link_person_id"]: r for r in out.to_dicts()}
    # p1: the 2023 NHS number fails its check digit, the 2019 one is valid
    assert rows["p1"]["link_nhs"] == "9434765919"
    # p2: neither is valid: the newest is kept (and later reported as a fault)
    assert rows["p2"]["link_nhs"] == "2222222222"
    assert rows["p2"]["link_upn"] is None
    assert "p3" not in rows or rows["p3"]["link_nhs"] is None
