"""The standard record every extract is mapped to: one row per extract row.

This is the boundary between ``sources/`` and ``linkage/``: a polars frame with
exactly ``STANDARD_SCHEMA`` (missing values are null), plus a ``LoadReport`` per
source saying how many rows were read, accepted and quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from sources.faults import FaultCount, empty_faults

#: Column -> dtype of the standard record frame handed to linkage.
STANDARD_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),  # config source name, e.g. "police"
    "record_id": pl.Utf8(),  # unique within the source ("row-N" when unmapped)
    "row_number": pl.Int64(),  # 1-based data row in the extract (header excluded)
    "first_name": pl.Utf8(),  # as given (trimmed); standardising is linkage's job
    "last_name": pl.Utf8(),
    "dob": pl.Date(),  # null when missing or unparseable (counted as a fault)
    "sex": pl.Utf8(),  # "F", "M", "U" or null
    "nhs_number": pl.Utf8(),  # 10 digits, check digit valid, else null (fault)
    "upn": pl.Utf8(),  # 13 chars, as given upper-cased, else null
    "case_number": pl.Utf8(),  # local system id of the person in this source
    "address": pl.Utf8(),  # one line, as given
    "postcode": pl.Utf8(),  # upper-cased, single space, else null
    "town": pl.Utf8(),  # town or city, as given (one line)
    # other identifiers, "kind:value" words separated by spaces, each value
    # normalised by its kind (email lower-cased, phone digits only …)
    "identifiers": pl.Utf8(),
    # the source gives only the year of birth (dob holds 1 January of it)
    "dob_year_only": pl.Boolean(),
    # "<source>:<value>" family/case reference; several joined by ";" (a person
    # in two family groups), each a group of its own
    "family_ref": pl.Utf8(),
    "household_ref": pl.Utf8(),  # "<source>:<value>" household/tenancy reference
    "relationship": pl.Utf8(),  # role in that family/household, free text
    # stated links to other people of the same source, "kind:case_number"
    # items joined by ";" (e.g. "mother_of:1001;mother_of:1002", "child_of:2001")
    "related": pl.Utf8(),
    "involvement_start": pl.Date(),
    "involvement_end": pl.Date(),
    "involvement_current": pl.Boolean(),  # from status column, else end is null
    "last_contact": pl.Date(),
    "detail": pl.Utf8(),  # short service detail, e.g. incident type
    # the person's role in the event the row records (an incident's "Victim",
    # "Suspect", "Child present"), as given; not a family relationship
    "role": pl.Utf8(),
    "lead_name": pl.Utf8(),
    "lead_role": pl.Utf8(),
    "lead_team": pl.Utf8(),
    "lead_phone": pl.Utf8(),
    "lead_email": pl.Utf8(),
    "extract_date": pl.Date(),
    # why the source restricts this record (its code, e.g. "adoption"), else
    # null; any restricted record makes its person restricted everywhere
    "restricted": pl.Utf8(),
    # names the source knows the person by besides this one (a previous family
    # name, a name before adoption, an alias), as given, several joined by ";";
    # one word is a family name, used with this record's first name
    "previous_names": pl.Utf8(),
}


def empty_records() -> pl.DataFrame:
    """A standard record frame with no rows."""
    return pl.DataFrame(schema=STANDARD_SCHEMA)


def with_standard_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with any standard column it lacks added as nulls, in schema order
    (a snapshot saved before a field was added to the standard record)."""
    missing = [c for c in STANDARD_SCHEMA if c not in frame.columns]
    if not missing:
        return frame
    added = frame.with_columns(
        pl.lit(None, STANDARD_SCHEMA[c]).alias(c) for c in missing
    )
    return added.select(list(STANDARD_SCHEMA))


@dataclass(frozen=True)
class LoadReport:
    """How one source's extract was read: nothing is lost without a count."""

    source: str
    service: str
    path: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    #: standard field -> rows with a value not used as given (``faults``)
    field_faults: dict[str, int] = field(default_factory=dict)
    extract_date: date | None = None
    ok: bool = True
    problems: tuple[str, ...] = ()  # safe text: source, file, row, column, no values
    # A failed load standing in with the source's last good snapshot: its rows
    # are the snapshot's, failing since ``stale_since``.
    stale: bool = False
    stale_since: date | None = None  # first day a load of this source failed
    current_as_of: date | None = None  # extract date of the records used
    drop: str = ""  # the dated drop read (YYYY-MM-DD) when path is a drop folder
    #: why the latest load failed, in words for the people using the data (no
    #: paths, no values): "the latest extract had no data rows"
    failure: str = ""
    #: rows set aside per reason (``sources.quarantine``), commonest first
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    #: values not used as given, per field, column and kind, with first rows
    faults: tuple[FaultCount, ...] = ()

    @property
    def usable(self) -> bool:
        """This build has records for the source (fresh, or a stale snapshot)."""
        return self.ok or self.stale


@dataclass(frozen=True)
class LoadedSources:
    """All sources read for one build: records, quarantined rows and reports."""

    records: pl.DataFrame  # STANDARD_SCHEMA
    quarantine: pl.DataFrame  # source, row_number, reason
    reports: tuple[LoadReport, ...]
    #: values not used as given, one row each (``sources.faults.FAULT_SCHEMA``)
    faults: pl.DataFrame = field(default_factory=empty_faults)
