"""The generator's errors: each kind happens, and only as described."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from rapidfuzz.distance import OSA

from sources.identifiers import is_valid_nhs
from synthetic.bank import load_bank
from synthetic.noise import Noise
from synthetic.noise import add_noise as noise_of

LATEST = date(2025, 3, 31)
NONE = Noise(variant=0.0, nickname=0.0, typo=0.0, swap_names=0.0, dob_swap=0.0,
             dob_shift=0.0, dob_missing=0.0, address_missing=0.0,
             postcode_missing=0.0, sex_missing=0.0, nhs_present=1.0, nhs_error=0.0,
             upn_present=1.0, upn_error=0.0)  # fmt: skip


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    first = ["Robert", "Mohammed", "Karen", "Siobhán", "Amelia", "William"] * 50
    last = ["Smith", "Chaudhry", "O'Brien", "MacDonald", "Jones", "Wong"] * 50
    n = len(first)
    return pl.DataFrame({
        "first_name": first,
        "last_name": last,
        "dob": [date(2010, 3, 7)] * n,
        "sex": ["F"] * n,
        "nhs": ["9434765919"] * n,
        "upn": ["B801200005001"] * n,
        "address": ["1 Oak Road, Stockport"] * n,
        "postcode": ["SK4 2XY"] * n,
    })  # fmt: skip


def with_noise(people, bank, **rates) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    return noise_of(rng, people, Noise(**(NONE.__dict__ | rates)), bank, LATEST)


def test_no_noise_changes_nothing(people, bank):
    assert with_noise(people, bank).equals(people)


def test_nicknames_come_from_the_list(people, bank):
    out = with_noise(people, bank, nickname=1.0)
    for before, after in zip(people["first_name"], out["first_name"], strict=True):
        assert after in bank.nicknames.get(before, [before])
    assert (out["first_name"] == "Kaz").any() and (out["first_name"] == "Mo").any()


def test_other_spellings_come_from_the_same_group(people, bank):
    out = with_noise(people, bank, variant=1.0)
    for before, after in zip(people["last_name"], out["last_name"], strict=True):
        assert after in bank.variants.get(before, [before])
    assert out["last_name"].n_unique() > people["last_name"].n_unique()


def test_a_typo_is_one_edit_in_one_name(people, bank):
    out = with_noise(people, bank, typo=1.0)
    pairs = zip(people.iter_rows(), out.iter_rows(), strict=True)
    edits = [
        OSA.distance(f0, f1) + OSA.distance(l0, l1)
        for (f0, l0, *_), (f1, l1, *_) in pairs
    ]
    assert max(edits) == 1  # a letter replaced by itself changes nothing
    assert sum(edits) > 0.9 * len(edits)


def test_day_and_month_swap(people, bank):
    out = with_noise(people, bank, dob_swap=1.0)
    assert out["dob"].unique().to_list() == [date(2010, 7, 3)]


def test_a_slipped_digit_breaks_the_check_digit(people, bank):
    out = with_noise(people, bank, nhs_error=1.0)
    assert not any(is_valid_nhs(n) for n in out["nhs"])


def test_missing_values(people, bank):
    out = with_noise(people, bank, dob_missing=1.0, postcode_missing=1.0,
                     nhs_present=0.0)  # fmt: skip
    assert out.select("dob", "postcode", "nhs").null_count().row(0) == (300, 300, 300)


def test_name_lists_are_consistent(bank):
    groups = [set([name, *others]) for name, others in bank.variants.items()]
    for name, others in bank.variants.items():
        assert name not in others
        assert all(bank.variants[o] and name in bank.variants[o] for o in others)
    assert len(groups) == len(bank.variants)
    heritages = set(bank.heritages["heritage"])
    assert set(bank.first_names["heritage"]) == heritages
    assert set(bank.surnames["heritage"]) == heritages
