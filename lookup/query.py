"""Turn what a worker typed into a checked search query.

"SMITH, John", "SMITH John" and "John Smith" all work; wildcard characters are
ignored; a first AND last name are needed unless an identifier is given, or a
date of birth, postcode or age range goes with the family name ("Baby Smith",
an unborn child, a referral naming only the family). Error messages never
repeat what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from core.errors import UserInputError

IdKind = Literal["nhs_number", "upn", "case_number"]

ID_LABELS: dict[str, str] = {
    "nhs_number": "NHS number",
    "upn": "UPN",
    "case_number": "case number",
}

_WILDCARDS = re.compile(r"[*%?_]")
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_DOB_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d")
_NEED_NAME = (
    "Enter a first name and a last name, or an NHS number, UPN or case number. "
    "A last name alone needs a date of birth, a postcode or an age range."
)
#: First names that stand for "not named yet": a newborn or unborn child is
#: recorded as "Baby Smith" or "Unborn Smith" with the mother's family name.
PLACEHOLDER_FIRST = frozenset({"baby", "unborn", "infant", "newborn", "unnamed",
                               "unknown", "child", "boy", "girl"})  # fmt: skip


@dataclass(frozen=True)
class SearchQuery:
    """A checked search: a name (with optional date of birth) or one identifier."""

    first: str = ""
    last: str = ""
    dob: date | None = None
    identifier: str = ""
    id_kind: IdKind | None = None
    postcode: str = ""  # upper case, no spaces; a match lifts the score
    age_min: int | None = None  # people of known age outside the range are left out
    age_max: int | None = None

    @property
    def by_identifier(self) -> bool:
        """True when the search is an exact identifier lookup."""
        return bool(self.identifier)

    @property
    def age_range(self) -> bool:
        """True when an age range (either end of it) is given."""
        return self.age_min is not None or self.age_max is not None

    @property
    def age_bounds(self) -> tuple[int, int]:
        """(youngest, oldest) of the range given, an open end as 0 or 200."""
        return self.age_min or 0, 200 if self.age_max is None else self.age_max

    @property
    def family_only(self) -> bool:
        """True when only a family name is given (with a date of birth, postcode
        or age range): anyone of that family name who fits the rest."""
        return not self.identifier and not self.first

    def criteria(self) -> dict[str, Any]:
        """What was asked, for the audit log (the only place search terms are kept)."""
        if self.by_identifier:
            return {"identifier": self.identifier, "id_kind": self.id_kind}
        asked: dict[str, Any] = {
            "first": self.first,
            "last": self.last,
            "dob": self.dob.isoformat() if self.dob else None,
        }
        extra = {"postcode": self.postcode, "age_min": self.age_min,
                 "age_max": self.age_max}  # fmt: skip
        return asked | {k: v for k, v in extra.items() if v not in ("", None)}


def clean_name(text: str | None) -> str:
    """Wildcards dropped, spaces collapsed; letters, hyphens and apostrophes kept."""
    cleaned = _WILDCARDS.sub("", text or "")
    return " ".join(cleaned.replace(",", " , ").split()).replace(" , ", ", ")


def split_full_name(text: str) -> tuple[str, str]:
    """(first, last) from 'SMITH, John', 'SMITH John' or 'John Smith'."""
    name = clean_name(text).strip(", ")
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(" ,"), last.strip(" ,")
    words = name.split()
    if len(words) < 2:
        return "", name
    upper = [w.isupper() and len(w) > 1 for w in words]
    if upper[0] and not all(upper):
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def compact_id(text: str) -> str:
    """Identifier without spaces or punctuation, upper case: how they are compared."""
    return re.sub(r"[\s\-/.:_*%?]", "", text or "").upper()


def nhs_check_ok(digits: str) -> bool:
    """Modulus 11 check digit of a 10-digit NHS number."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def parse_identifier(text: str) -> tuple[str, IdKind]:
    """Classify an identifier: NHS number (10 digits), UPN (13 chars) or case number."""
    compact = compact_id(text)
    if compact.isdigit() and len(compact) == 10:
        if not nhs_check_ok(compact):
            raise UserInputError(
                "That NHS number is not valid: its check digit does not match. "
                "Check each digit and try again."
            )
        return compact, "nhs_number"
    if len(compact) == 13 and compact[0].isalpha() and compact[1:12].isdigit():
        return compact, "upn"
    if len(compact) < 3 or not compact.isalnum():
        raise UserInputError(
            "Enter an NHS number (10 digits), a UPN (13 characters) or a case "
            "number (letters and digits)."
        )
    return compact, "case_number"


def parse_dob(value: str | date | None, today: date | None = None) -> date | None:
    """A date of birth typed as DD/MM/YYYY or YYYY-MM-DD; None when left blank."""
    if value is None or isinstance(value, date):
        parsed = value
    elif not value.strip():
        return None
    else:
        parsed = None
        for fmt in _DOB_FORMATS:
            try:
                parsed = datetime.strptime(value.strip(), fmt).date()
                break
            except ValueError:
                continue
        if parsed is None:
            raise UserInputError(
                "Enter the date of birth as DD/MM/YYYY, for example 03/07/2015."
            )
    if parsed is not None and (parsed.year < 1900 or parsed > (today or date.max)):
        raise UserInputError("The date of birth must be a real date in the past.")
    return parsed


def parse_postcode(text: str | None) -> str:
    """A UK postcode upper case without spaces ('SK1 3AB' -> 'SK13AB'); '' if blank."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if compact and not _POSTCODE.fullmatch(compact):
        raise UserInputError(
            "Enter a full UK postcode, for example SK1 3AB, or leave it blank."
        )
    return compact


def parse_age_range(
    age_min: int | str | None, age_max: int | str | None
) -> tuple[int | None, int | None]:
    """(lowest, highest) age in whole years; either may be left blank."""
    try:
        low, high = (
            None if v is None or str(v).strip() == "" else int(str(v).strip())
            for v in (age_min, age_max)
        )
    except ValueError as exc:
        raise UserInputError("Enter ages as whole numbers of years.") from exc
    if any(v is not None and not 0 <= v <= 120 for v in (low, high)) or (
        low is not None and high is not None and low > high
    ):
        raise UserInputError(
            "Enter an age range between 0 and 120, the lower age first."
        )
    return low, high


def parse_query(
    first: str | None = "",
    last: str | None = "",
    dob: str | date | None = None,
    identifier: str | None = "",
    today: date | None = None,
    postcode: str | None = "",
    age_min: int | str | None = None,
    age_max: int | str | None = None,
) -> SearchQuery:
    """Check a search; raises UserInputError saying what is missing.

    Postcode and age range are optional refinements of a name search.
    """
    if identifier and identifier.strip():
        value, kind = parse_identifier(identifier)
        return SearchQuery(identifier=value, id_kind=kind)
    first_c, last_c = clean_name(first), clean_name(last)
    if first_c and last_c:
        first_c, last_c = _no_commas(first_c), _no_commas(last_c)
    else:
        # one word in the first-name box alone is a given name, not a family
        only_first = bool(first_c) and len(first_c.split()) == 1
        first_c, last_c = split_full_name(first_c or last_c)
        last_c = "" if only_first else last_c
    if first_c.lower().strip(" .") in PLACEHOLDER_FIRST:
        first_c = ""
    low, high = parse_age_range(age_min, age_max)
    asked = SearchQuery(
        first=first_c if _has_letter(first_c) else "",
        last=last_c,
        dob=parse_dob(dob, today),
        postcode=parse_postcode(postcode),
        age_min=low,
        age_max=high,
    )
    more = asked.dob or asked.postcode or low is not None or high is not None
    if not _has_letter(last_c) or not (asked.first or more):
        raise UserInputError(_NEED_NAME)
    return asked


def _no_commas(text: str) -> str:
    return " ".join(text.replace(",", " ").split())


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
