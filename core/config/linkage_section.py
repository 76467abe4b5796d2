"""``[linkage]``: how records are linked into people; blocking rules as text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.config.keys import setting
from core.errors import Problem

#: Standardised columns a blocking rule may use as keys (``linkage.standardise``).
BLOCKING_KEYS = (
    "nhs", "upn_c", "case_key", "case_dels", "ids", "contacts", "dob", "dob_y",
    "dob_md", "dob_swap", "fn", "fn_join", "fn_canons", "fn_phon", "fn_init",
    "ln_join", "ln_canons", "ln_phon", "ln_part_phons", "ln_init", "pc",
    "pc_sector", "pc_district", "addr", "addr_nums", "addr_street", "town_c",
    "sx",
)  # fmt: skip
#: Scalar key columns a block too large may be split on
#: (``linkage.refine_keys``), the most reliable on true matches first: sex
#: (never contradicted between one person's records in the generated
#: populations, though often missing), year of birth, initials, then postcode
#: district (a tenth of one person's pairs differ on it: moves).
REFINE_KEYS = ("sx", "dob_y", "fn_init", "ln_init", "pc_district")
SCALAR_KEYS = tuple(
    k for k in BLOCKING_KEYS
    if k not in ("fn_canons", "ln_canons", "ln_part_phons", "case_dels", "ids",
                 "contacts")
)  # fmt: skip
#: The shipped blocking rules, each catching a kind of error the others miss.
DEFAULT_BLOCKING_RULES = (
    "nhs_number: nhs",
    "upn: upn_c",
    "case_number: case_key",
    "identifier: ids",
    "contact: contacts",
    "names_year: fn_canons + ln_phon + dob_y",
    "names_sound_year: fn_phon + ln_phon + dob_y",
    "names_town: fn_canons + ln_phon + town_c",
    "names_sector: fn_canons + ln_phon + pc_sector",
    "names_numbers: fn_canons + ln_phon + addr_nums",
    "first_name_town_year: fn_canons + town_c + dob_y",
    "surname_town_year: ln_phon + town_c + dob_y",
    "first_name_sector_year: fn_canons + pc_sector + dob_y",
    "surname_sector_year: ln_phon + pc_sector + dob_y",
    "initial_surname_address: fn_init + ln_phon + addr",
    "initial_surname_number_town: fn_init + ln_phon + addr_nums + town_c",
    "initials_street: fn_init + ln_init + addr_street",
    "dob_town: dob + town_c",
    "names_no_dob: fn_canons + ln_phon (one side without dob)",
    "surname_day_month_initial: ln_phon + dob_md + fn_init",
    "names_sound_no_dob: fn_phon + ln_phon (one side without dob)",
    "initials_year_no_dob: fn_init + ln_init + dob_y (one side without dob)",
    "initial_number_year_no_dob: fn_init + addr_nums + dob_y (one side without dob)",
    "surname_initial_number_year_no_dob: ln_init + addr_nums + dob_y"
    " (one side without dob)",
    "crossed_name_year_no_dob: fn_join + dob_y ~ ln_join + dob_y"
    " (one side without dob)",
    "crossed_surname_year_no_dob: ln_join + dob_y ~ fn_join + dob_y"
    " (one side without dob)",
    "initial_surname_town: fn_init + ln_phon + town_c",
    "dob_initial: dob + fn_init",
    "dob_surname_initial: dob + ln_init",
    "case_number_slip_dob: case_dels + dob",
    "case_number_slip_names: case_dels + fn_canons",
    "case_number_slip_surname: case_dels + ln_phon",
    "postcode_initial: pc + fn_init",
    "swapped_dob_surname: dob_swap + ln_phon ~ dob + ln_phon",
    "swapped_dob_first: dob_swap + fn_canons ~ dob + fn_canons",
    "swapped_names: fn_join + ln_join ~ ln_join + fn_join",
    "crossed_name_dob: fn_join + dob ~ ln_join + dob",
    "swapped_names_sound: fn_phon + ln_phon + dob ~ ln_phon + fn_phon + dob",
)
#: Comparisons a build may score (``linkage.comparisons``), and those it needs.
ALL_COMPARISONS = (
    "first_name", "last_name", "dob", "address", "sex", "nhs_number", "upn",
    "case_number", "identifiers", "contacts",
)  # fmt: skip
REQUIRED_COMPARISONS = ("first_name", "last_name", "dob", "address")
_RULE = re.compile(
    r"^\s*(?P<name>[a-z][a-z0-9_]*)\s*:\s*(?P<keys>[^~(]+?)\s*"
    r"(?:~\s*(?P<right>[^(]+?)\s*)?(?:\(one side without (?P<missing>\w+)\))?\s*$"
)


@dataclass(frozen=True)
class RuleText:
    """A blocking rule as written in the config (see ``parse_blocking_rule``)."""

    name: str
    keys: tuple[str, ...]
    right_keys: tuple[str, ...] = ()
    left_missing: str = ""


def parse_blocking_rule(text: str) -> RuleText | str:
    """A rule 'name: a + b [~ c + d] [(one side without COLUMN)]', or what is
    wrong with it (a sentence)."""
    found = _RULE.match(text)
    if not found:
        return (
            "must read 'name: key + key', optionally '~ key + key' and "
            "'(one side without COLUMN)'"
        )

    def keys(part: str | None) -> tuple[str, ...]:
        return tuple(k.strip() for k in part.split("+")) if part else ()

    rule = RuleText(
        found["name"], keys(found["keys"]), keys(found["right"]),
        found["missing"] or "",
    )  # fmt: skip
    unknown = [
        k for k in (*rule.keys, *rule.right_keys, rule.left_missing)
        if k and k not in (*BLOCKING_KEYS, "fn")
    ]  # fmt: skip
    if unknown:
        return f"unknown key {', '.join(unknown)}; use {', '.join(BLOCKING_KEYS)}"
    if rule.right_keys and len(rule.right_keys) != len(rule.keys):
        return "needs as many keys after '~' as before it"
    return rule


def _outside(
    key: str, given: tuple[str, ...], allowed: tuple[str, ...], kind: str = ""
) -> list[Problem]:
    """A problem naming ``linkage.KEY``'s values not in ``allowed``, if any."""
    odd = [c for c in given if c not in allowed]
    if not odd:
        return []
    text = f"unknown {kind}{', '.join(odd)}; use {', '.join(allowed)}"
    return [Problem(f"linkage.{key}", text)]


def _check_linkage(linkage: LinkageConfig, problems: list[Problem]) -> None:
    names: list[str] = []
    for i, text in enumerate(linkage.blocking_rules):
        rule = parse_blocking_rule(text)
        if isinstance(rule, str):
            problems.append(Problem(f"linkage.blocking_rules[{i}]", rule))
        else:
            names.append(rule.name)
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            Problem("linkage.blocking_rules", f"rule name '{dup}' is used twice")
        )
    if not linkage.blocking_rules:
        problems.append(Problem("linkage.blocking_rules", "give at least one rule"))
    problems += _outside("comparisons", linkage.comparisons, ALL_COMPARISONS)
    lacking = [c for c in REQUIRED_COMPARISONS if c not in linkage.comparisons]
    if lacking:
        problems.append(
            Problem("linkage.comparisons", f"must include {', '.join(lacking)}")
        )
    if linkage.max_block_records < 2:
        problems.append(Problem("linkage.max_block_records", "must be 2 or more"))
    if linkage.refine_block_records < 0:
        problems.append(
            Problem("linkage.refine_block_records", "must be 0 (off) or more")
        )
    problems += _outside("refine_keys", linkage.refine_keys, SCALAR_KEYS, "or list ")
    for key in ("name_similar", "name_loosely_similar", "contact_similar"):
        if not 0 < getattr(linkage, key) <= 1:
            problems.append(Problem(f"linkage.{key}", "must be above 0 and at most 1"))
    if linkage.name_loosely_similar > linkage.name_similar:
        problems.append(
            Problem("linkage.name_loosely_similar", "must not exceed name_similar")
        )
    if not 0 <= linkage.dob_few_days <= linkage.dob_weeks <= linkage.dob_year:
        problems.append(
            Problem(
                "linkage.dob_weeks", "need 0 <= dob_few_days <= dob_weeks <= dob_year"
            )
        )
    if (
        not 0
        < linkage.address_area
        <= linkage.address_similar
        <= linkage.address_same
        <= 100
    ):
        problems.append(
            Problem(
                "linkage.address_similar",
                "need 0 < address_area <= address_similar <= address_same <= 100",
            )
        )


@dataclass(frozen=True)
class LinkageConfig:
    """[linkage]: how records are linked into people."""

    link_threshold: float = setting(
        0.99, "Match probability at or above which two records are linked."
    )
    review_threshold: float = setting(
        0.80,
        "Match probability at or above which a pair below link_threshold is kept "
        "as a possible match for review (never merged).",
    )
    em_iterations: int = setting(30, "Most expectation-maximisation rounds for m.")
    u_sample_pairs: int = setting(
        300_000, "Random record pairs sampled to estimate u probabilities."
    )
    seed: int = setting(20240601, "Seed for sampling, so builds are repeatable.")
    blocking_rules: tuple[str, ...] = setting(
        DEFAULT_BLOCKING_RULES,
        "Blocking rules: records become a candidate pair when they share every key "
        "of a rule. Each 'name: key + key', or 'name: keys ~ keys' to match one "
        "record's keys with the other's (names given the other way round), with "
        "'(one side without COLUMN)' to reach only pairs where one record lacks "
        "it. Keys: " + ", ".join(BLOCKING_KEYS) + ". Default: the shipped rules.",
    )
    max_block_records: int = setting(
        400,
        "A block of more records than this (a key too common to say anything) is "
        "skipped; the other rules still reach its records.",
    )
    refine_block_records: int = setting(
        0,
        "A block of more records than this is split on the next of refine_keys "
        "its rule does not already use, until it is this small or the keys run "
        "out (then max_block_records applies): a key a whole population shares "
        "makes blocks that grow with it and pairs with its square. A record "
        "without the splitting key stays in every part. 0 (the default): never "
        "split; at the generated 2.45M population a bound of 16 cut the pairs "
        "by 31 % but made blocking slower and linked fewer records. "
        "Rules on an identifier (NHS number, UPN, case number, identifiers, "
        "contacts) are never split.",
    )
    refine_keys: tuple[str, ...] = setting(
        REFINE_KEYS,
        "Keys a block too large is split on, in order (see refine_block_records); "
        "from " + ", ".join(SCALAR_KEYS) + ".",
    )
    comparisons: tuple[str, ...] = setting(
        ALL_COMPARISONS,
        "Comparisons scored, from "
        + ", ".join(ALL_COMPARISONS)
        + "; "
        + ", ".join(REQUIRED_COMPARISONS)
        + " are always needed.",
    )
    name_similar: float = setting(
        0.92, "Jaro-Winkler similarity of first names or surnames at level 'similar'."
    )
    name_loosely_similar: float = setting(
        0.85, "Jaro-Winkler similarity of names at level 'loosely similar'."
    )
    dob_few_days: int = setting(
        7, "Days apart two dates of birth may be at level 'a few days or a year out'."
    )
    dob_weeks: int = setting(62, "Days apart at date-of-birth level 'within weeks'.")
    dob_year: int = setting(366, "Days apart at date-of-birth level 'within a year'.")
    address_same: int = setting(
        90, "Token-set ratio (0-100) of address text at level 'same address'."
    )
    address_similar: int = setting(
        80, "Token-set ratio at address level 'similar address' (a number shared)."
    )
    address_area: int = setting(
        70, "Token-set ratio at address level 'same street or area'."
    )
    contact_similar: float = setting(
        0.9, "Jaro-Winkler similarity of emails or phone numbers at level 'similar'."
    )
