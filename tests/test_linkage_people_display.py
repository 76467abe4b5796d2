"""Display names: one-case spellings are title-cased, mixed case is kept."""

from __future__ import annotations

import polars as pl
import pytest

from linkage.people import display_case


@pytest.mark.parametrize(
    "given, shown",
    [
        ("JONATHAN", "Jonathan"),
        ("smith", "Smith"),
        ("O'BRIEN", "O'Brien"),
        ("SMITH-JONES", "Smith-Jones"),
        ("MCDONALD", "McDonald"),
        ("MC", "Mc"),
        ("McDonald", "McDonald"),
        ("de Souza", "de Souza"),
        ("VAN DER BERG", "Van Der Berg"),
        (None, None),
    ],
)
def test_display_case(given, shown):
    frame = pl.DataFrame({"n": [given]}, schema={"n": pl.Utf8})
    assert frame.select(display_case(pl.col("n"))).item() == shown
