"""The config: defaults, every problem reported at once, every key documented."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.config import LinkageConfig, documented_keys, load_config, parse_config
from core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_every_key_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [key for key in documented_keys() if f"`{key}`" not in readme]
    assert missing == []


def test_every_key_has_a_doc_line():
    assert all(doc.strip() for doc in documented_keys().values())


def test_shipped_config_loads():
    config = load_config(ROOT / "config.toml")
    assert config.app.demo_mode is False
    assert config.storage.index_url.startswith("sqlite:////")


def test_empty_config_takes_defaults(tmp_path):
    config = parse_config({}, tmp_path)
    assert config.sources == ()
    assert config.linkage.link_threshold == 0.99
    assert config.storage.index_url == f"sqlite:///{tmp_path}/data/index.db"


def test_every_problem_is_reported_at_once(tmp_path):
    raw = {
        "app": {"demo_mode": "yes", "colour": "red"},
        "linkage": {"link_threshold": 0.5, "review_threshold": 0.9},
        "sources": [
            {"name": "a", "service": "A", "path": "a.csv", "format": "xml"},
            {"name": "a", "service": "A", "path": "b.csv", "columns": {"dob": "D"}},
        ],
        "extra": {},
    }
    with pytest.raises(ConfigError) as info:
        parse_config(raw, tmp_path, "council.toml")
    where = [p.where for p in info.value.problems]
    assert where == [
        "council.toml: [extra]",
        "app.demo_mode",
        "app.colour",
        "sources[0].format",
        "sources[0].columns",
        "sources[1].columns",
        "sources.name",
        "linkage.review_threshold",
    ]


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="pass --config PATH"):
        load_config(tmp_path / "nope.toml")


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[app\n")
    with pytest.raises(ConfigError, match="bad.toml is not valid TOML"):
        load_config(path)


def test_visibility_is_a_table_and_the_one_line_form_still_reads(tmp_path):
    table = {"early_help": {"standard": "full", "police": "hidden"}}
    new = parse_config({"governance": {"visibility": table}}, tmp_path)
    old_form = {"visibility": {"early_help": "standard=full police=hidden"}}
    written = r'\[governance.visibility.early_help\] standard = "full" police'
    with pytest.warns(FutureWarning, match=written):
        old = parse_config({"governance": old_form}, tmp_path)
    assert old.governance.visibility == new.governance.visibility == table
    with pytest.raises(TypeError):
        new.governance.visibility["early_help"]["police"] = "full"  # type: ignore[index]


def test_every_bad_visibility_entry_is_named(tmp_path):
    visibility = {
        "auditor": {"police": "full"},
        "early_help": {"police": "peek", "polize": "full"},
        "social_worker": 3,
    }
    with pytest.raises(ConfigError) as info:
        parse_config({"governance": {"visibility": visibility}}, tmp_path)
    assert [p.where for p in info.value.problems] == [
        "governance.visibility.auditor",
        "governance.visibility.early_help.police",
        "governance.visibility.early_help.polize",
        "governance.visibility.social_worker",
    ]


def test_blocking_rules_and_comparison_levels_are_settings(tmp_path):
    raw = {
        "linkage": {
            "blocking_rules": [
                "names_town: fn_canons + ln_phon + town_c",
                "swapped: fn_join + ln_join ~ ln_join + fn_join",
                "names_no_dob: fn_canons + ln_phon (one side without dob)",
            ],
            "dob_weeks": 90,
            "comparisons": ["first_name", "last_name", "dob", "address", "upn"],
        }
    }
    config = parse_config(raw, tmp_path)
    from linkage.blocking import rules_from
    from linkage.comparisons import comparisons_from

    rules = rules_from(config.linkage.blocking_rules)
    assert [r.name for r in rules] == ["names_town", "swapped", "names_no_dob"]
    assert rules[1].right_keys == ("ln_join", "fn_join")
    assert rules[2].left_missing == "dob"
    comps = comparisons_from(config.linkage)
    assert [c.name for c in comps] == [
        "first_name",
        "last_name",
        "dob",
        "address",
        "upn",
    ]
    assert comps[2].weeks == 90


def test_every_blocking_and_comparison_problem_is_named(tmp_path):
    raw = {
        "linkage": {
            "blocking_rules": [
                "a: fn_canons + postcode_area",
                "no colon here",
                "b: dob ~ dob + fn_init",
                "c: dob",
                "c: dob + fn_init",
            ],
            "comparisons": ["first_name", "dob", "shoe_size"],
            "dob_few_days": 90,
            "address_same": 60,
            "name_similar": 1.5,
            "refine_block_records": -1,
            "refine_keys": ["sx", "fn_canons", "shoe_colour"],
        }
    }
    with pytest.raises(ConfigError) as err:
        parse_config(raw, tmp_path)
    text = str(err.value)
    for key in (
        "linkage.blocking_rules[0]", "postcode_area", "linkage.blocking_rules[1]",
        "linkage.blocking_rules[2]", "rule name 'c' is used twice", "shoe_size",
        "must include last_name, address", "linkage.dob_weeks",
        "linkage.address_similar", "linkage.name_similar",
        "linkage.refine_block_records",
        "linkage.refine_keys: unknown or list fn_canons, shoe_colour",
    ):  # fmt: skip
        assert key in text, key


def test_shipped_blocking_rules_read_back_as_written():
    from linkage.blocking import DEFAULT_RULES

    assert tuple(r.label() for r in DEFAULT_RULES) == LinkageConfig().blocking_rules


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("extract_date", date(2025, 3, 1), date(2025, 3, 1)),  # a TOML date
        ("extract_date", "2025-03-01", date(2025, 3, 1)),
        ("extract_date", "", None),
        ("coverage_from", "2016-04-01", date(2016, 4, 1)),
        ("age_min", 16, 16),
        ("age_min", -1, None),  # the old way of saying "no limit"
        ("age_max", 20, 20),
        ("batch_size", 500.0, 500),
        ("min_row_share", 1, 1.0),
        ("dob_year_only", True, True),
        ("drop_files", ["a.csv", "b.csv"], ("a.csv", "b.csv")),
    ],
)  # fmt: skip
def test_source_keys_are_read_as_their_type_hints_say(tmp_path, key, value, expected):
    src = {"name": "s", "service": "S", "path": "s.csv",
           "columns": {"first_name": "F", "last_name": "L"}, key: value}  # fmt: skip
    got = getattr(parse_config({"sources": [src]}, tmp_path).sources[0], key)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("extract_date", "01/03/2025", "must be a date as YYYY-MM-DD"),
        ("extract_date", 20250301, "must be a date as YYYY-MM-DD"),
        ("age_min", "16", "must be a number"),
        ("age_min", 16.5, "must be a whole number"),
        ("dob_year_only", "yes", "must be true or false"),
        ("drop_files", "a.csv", "must be a list of strings"),
        ("columns", {"first_name": 1}, "must be a table of strings"),
    ],
)
def test_a_key_of_the_wrong_type_is_named(tmp_path, key, value, says):
    src = {"name": "s", "service": "S", "path": "s.csv", key: value}
    with pytest.raises(ConfigError) as caught:
        parse_config({"sources": [src]}, tmp_path)
    assert f"sources[0].{key}: {says}" in [str(p) for p in caught.value.problems]


def test_mappings_in_the_config_are_frozen(tmp_path):
    src = {"name": "s", "service": "S", "path": "s.csv",
           "columns": {"first_name": "F", "last_name": "L"}}  # fmt: skip
    config = parse_config({"sources": [src]}, tmp_path)
    src, gov = config.sources[0], config.governance
    for mapping in (src.columns, src.identifiers, gov.role_map, gov.visibility):
        with pytest.raises(TypeError):
            mapping["x"] = "y"  # type: ignore[index]
