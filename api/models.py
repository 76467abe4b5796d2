"""Request and response bodies of ``/v1``: the OpenAPI document is made from these.

Every request that reads about people carries its reason (purpose, case
reference, and for an emergency an explanation) in its body; nothing personal
ever travels in a URL.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Some character that str.strip() keeps, as the reason check tests it: Python
# also counts U+001C-U+001F and U+0085 as white space, which the regex engines
# behind pydantic and JSON Schema's ``\s`` may not.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reasoned(_Body):
    """Why the worker is looking (recorded with every event of the request)."""

    purpose: str = Field(
        min_length=1,
        max_length=200,
        description="One of app.purposes, as in the dashboard.",
    )
    case_ref: str = Field(
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="Case or referral reference.",
    )
    explanation: str = Field(
        default="", max_length=2000, description="Needed for an emergency purpose."
    )


class SearchBody(Reasoned):
    """A name (with optional date of birth, postcode, age range) or one identifier."""

    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(
        default="", max_length=100, description='"SMITH, John" works here too.'
    )
    dob: str = Field(default="", max_length=20, description="DD/MM/YYYY or YYYY-MM-DD.")
    postcode: str = Field(default="", max_length=10)
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    identifier: str = Field(
        default="", max_length=40, description="NHS number, UPN or case number."
    )


class AddressBody(Reasoned):
    """A postcode, optionally with a house number or name."""

    postcode: str = Field(
        max_length=8,
        pattern=r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$",
        description='A full UK postcode ("SK1 3AB" or "sk13ab").',
    )
    house: str = Field(
        default="", max_length=60, description="House number or name (optional)."
    )


class PersonBody(Reasoned):
    """One person of the current index (a ``person_id`` from a search)."""

    person_id: str = Field(min_length=1, max_length=64)
    override: str = Field(
        default="",
        max_length=2000,
        description="Written reason to open a restricted "
        "person (recorded and reviewed).",
    )


class ServiceBody(PersonBody):
    """One service's detail on one person."""

    source: str = Field(min_length=1, max_length=64)


class Lead(BaseModel):
    name: str | None = None
    role: str | None = None
    team: str | None = None
    phone: str | None = None
    email: str | None = None


class Episode(BaseModel):
    start: date | None
    end: date | None
    current: bool


class Service(BaseModel):
    """What one service knows of one person, worded as the dashboard words it."""

    source: str
    service: str
    sensitivity: str
    involvement: Literal[
        "Current", "Named on a current case", "Historic", "None found", "Not available"
    ]
    summary: str = Field(
        description='"Current since 3 March 2026", "No record '
        'in Housing data since April 2014" …'
    )
    last_start: date | None
    last_end: date | None
    last_contact: date | None
    detail: str | None
    detail_withheld: bool = Field(
        description="Detail held: ask for it with /v1/person/service-detail (recorded)."
    )
    lead: Lead | None
    current_as_of: date | None
    current_as_of_text: str = Field(
        description="Trust label, with the out-of-date "
        "warning when the source is stale."
    )
    coverage: str
    stale_since: date | None
    episodes: list[Episode]
    none_found_text: str | None = Field(
        description="For None found: the exact line the dashboard shows."
    )


class Candidate(BaseModel):
    """One person listed by a search (a restricted person: a placeholder)."""

    person_id: str
    restricted: bool
    score: float
    confidence: str
    first_name: str | None
    last_name: str | None
    dob: date | None
    age: int | None
    address: str | None
    postcode: str | None
    previous_addresses: list[str]
    nhs_number: str | None
    upn: str | None
    case_numbers: list[str]
    known_to_services: int
    possible_match: bool
    matched_on: str


class SearchResult(BaseModel):
    """Best first; people who may be mixed up with another record apart."""

    count: int
    cap: int
    capped: bool = Field(
        description="As many listed as the cap: add a date of "
        "birth, postcode or identifier to narrow it."
    )
    fitting: int = Field(
        description="People (the caller's role may see) who fit everything "
        "given: the name close, and the date of birth, postcode and age range "
        "given agreeing."
    )
    prompt: str | None = Field(
        description="When more people fit than are listed: how many, and the "
        "detail that would tell them apart (the dashboard's words)."
    )
    results: list[Candidate]
    possible_matches: list[Candidate]


class Household(BaseModel):
    """One address at the postcode and the people listed there."""

    address: str
    residents: list[Candidate]


class AddressResult(BaseModel):
    """The households at a postcode, in house-number order."""

    postcode: str
    count: int
    households: list[Household]


class Person(BaseModel):
    """A person in a family view: who they are and how they were linked."""

    person_id: str
    restricted: bool
    name: str
    dob: date | None
    age: int | None
    relationship: str
    how_linked: str
    is_focus: bool
    address: str | None
    postcode: str | None
    possible_match: bool
    hidden: list[str] = Field(
        description="Services not shown and why (age rules, your role)."
    )


class Services(BaseModel):
    person_id: str
    current: list[Service]
    named_on_current_case: list[Service] = Field(
        default_factory=list,
        description="Named on a family member's open case with no involvement "
        "of their own (a parent on their child's case)",
    )
    historic: list[Service]
    none_found: list[Service]
    not_available: list[Service]
    hidden: list[str]
    summary: str | None = Field(
        description="When nothing current or historic "
        "is shown, the dashboard's sentence."
    )


class FieldEvidence(BaseModel):
    """One field of a record's link: how it agreed and how much it counted."""

    field: str
    level: str
    weight: float
    words: str


class RecordEvidence(BaseModel):
    """One record joined into the person, and why (from the services shown)."""

    source: str
    service: str
    record_id: str
    probability: float | None
    fields: list[FieldEvidence]
    linked_unseen: bool = Field(
        default=False,
        description="Joined to the other records shown only through records the "
        "caller may not see (probability null, no fields; nothing about them).",
    )


class Member(Person):
    relationship_basis: str = Field(
        description="What the relationship to the person searched for rests on: "
        '"stated" (a service records it), "derived" (worked out through the '
        "family: a parent's partner, a sibling's parent), \"inferred\" (living in "
        "the household, by age); empty for the person searched for."
    )
    relationship_evidence: list[str] = Field(
        description="Why, as the dashboard's card says it (\"Early Help: Noah "
        'recorded as Father in the family of Olivia"), from the records the role '
        "sees in full only."
    )
    services: list[Service]
    link_confidence: str = Field(
        description="How sure the joining of their records is, in words."
    )
    records: list[RecordEvidence] = Field(
        description="Why their records were linked (the dashboard's 'Why were "
        "these records linked?'), from the services shown only."
    )


class Contact(BaseModel):
    """A current involvement to phone about."""

    person_id: str
    member_name: str
    relationship: str
    service: str
    lead: Lead
    since: date | None
    current_as_of: date | None
    stale_since: date | None


class WhoToCall(BaseModel):
    person_id: str
    contacts: list[Contact]
    source_warnings: list[str]


class Family(BaseModel):
    build_id: str
    focus_id: str
    who_to_call: list[Contact]
    members: list[Member]
    source_warnings: list[str]


class ServiceDetail(BaseModel):
    person_id: str
    source: str
    service: str
    detail: str | None
    detail_limit: int


class SourceInfo(BaseModel):
    """One configured source in the served build (no personal data)."""

    source: str
    service: str
    sensitivity: str
    status: Literal["up_to_date", "out_of_date", "not_loaded"]
    current_as_of: date | None
    stale_since: date | None
    coverage: str
    age_min: int | None
    age_max: int | None


class Sources(BaseModel):
    build_id: str
    sources: list[SourceInfo]
    problems: list[str]


class ProblemDetail(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


class Liveness(BaseModel):
    status: Literal["ok", "warn", "fail"]
    checked_at: str


class HealthDetail(Liveness):
    findings: list[dict]
