"""An address's keys made in plain Python are the ones linkage's polars
expressions make (``lookup.addresses``): a protected address must be found
whichever path checks it."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lookup import addresses
from lookup.addresses import address_keys, words_key

CASES = [
    # (address, postcode, keys)
    ("Flat 3, 12 High St", "ab1 2cd",
     {"flat312highst", "pc:AB12CD|12 3", "st:12 3|high street"}),
    ("12 High Street, flat 3", "AB1 2CD",
     {"12highstreetflat3", "pc:AB12CD|12 3", "st:12 3|high street"}),
    ("12a O'Neill Rd.", None, {"12aoneillrd", "st:12a|o'neill road"}),
    ("The Old Mill", "AB1 2CD", {"theoldmill"}),  # no number: words only
    ("7 Park Lane", "not a postcode", {"7parklane", "st:7|park lane"}),
    ("7", "AB1 2CD", {"7", "pc:AB12CD|7"}),
    ("", "AB1 2CD", set()),
    (None, None, set()),
    ("  ,  ", None, set()),
    ("Flat 2, 1 Test Road", "DT1 1AA",
     {"flat21testroad", "pc:DT11AA|1 2", "st:1 2|test road"}),
    ("Fläche 4, Straße 9", "DT1 1AA", None),  # not ASCII: linkage's own path
    ("4\tTab Row", "DT1 1AA", None),  # a control character: the same
]  # fmt: skip


@pytest.mark.parametrize(("address", "postcode", "expected"), CASES)
def test_each_address_has_the_keys_linkage_gives_it(address, postcode, expected):
    keys = address_keys([(address, postcode)])[0]
    assert keys == addresses._frame_keys([(address, postcode)])[0]
    if expected is not None:
        assert keys == expected


_PIECES = (
    "Flat flat Apt 12 3b 1st High St st. Rd Road Ave O'Neill Church-Lane Gdns , -"
    " # (rear) Townley the Cres 99 0 Terr ` / ,,"
).split(" ") + ["", "  "]
_POSTCODES = [None, "", " w1a 0ax ", *(
    p.replace("_", " ")
    for p in "AB1_2CD ab12cd SW1A_1AA M1_1AE B33_8TH CR2_6XH DN55_1PT X AB1 123".split()
)]  # fmt: skip


def _address(rng: random.Random) -> str:
    return " ".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8)))


def test_a_thousand_made_up_addresses_agree_on_both_paths():
    rng = random.Random(16)
    pairs = [(_address(rng), rng.choice(_POSTCODES)) for _ in range(1000)]
    assert [addresses._plain_keys(a, p) for a, p in pairs] == (
        addresses._frame_keys(pairs)
    )


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)),
    st.one_of(st.none(), st.text(alphabet="ABCDEFGHJKLMNPRSTUWXYZ0123456789 ab")),
)
def test_any_printable_ascii_address_agrees_on_both_paths(address, postcode):
    frame = addresses._frame_keys([(address, postcode)])[0]
    assert addresses._plain_keys(address, postcode) == frame


def test_a_mixed_list_keeps_its_order():
    pairs = [("1 Test Road", "DT1 1AA"), ("Straße 9", None), ("2 Test Road", None)]
    assert address_keys(pairs) == addresses._frame_keys(pairs)


def test_the_words_key_column_wide_is_the_one_each_address_gets():
    rng = random.Random(17)
    texts = [_address(rng) for _ in range(500)] + ["Straße 9", "FLAT 3, 12 High St."]
    column = pl.DataFrame({"a": texts}).select(words_key(pl.col("a")))["a"]
    assert [w or None for w in column.to_list()] == [addresses._words(a) for a in texts]
