"""Start the conversation: the words of a request to a who-to-call professional.

Pure text over what the card already shows: an email (subject with the case
reference and the service; a short body naming each person as that service
knows them, the worker, their team and how to reach them, and the question) and
the same as words to read out on the phone. Handing it out is recorded first
(``governance.exports.record_request_prepared``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from lookup.family import Contact
from lookup.text import long_date

#: That service's record ids named for a person before "and N more".
RECORDS_SHOWN = 2
DEFAULT_QUESTION = (
    "Could you tell me about your current involvement, and anything you think we "
    "should know while we decide what happens next?"
)


@dataclass(frozen=True)
class Sender:
    """The worker asking: who they are, their team, how to reach them."""

    name: str
    team: str
    reach: str


@dataclass(frozen=True)
class Prepared:
    """The email (subject and body) and the words for a phone call."""

    subject: str
    body: str
    script: str


@dataclass(frozen=True)
class Subject:
    """One person the request is about, as the service knows them."""

    name: str
    dob: date | None
    records: tuple[str, ...]  # that service's own record ids (seen in full only)

    def text(self) -> str:
        """'Imran MALIK, born 3 May 2020 (your record CSC-104)'."""
        born = f", born {long_date(self.dob)}" if self.dob else ""
        if not self.records:
            return self.name + born
        shown = ", ".join(self.records[:RECORDS_SHOWN])
        more = len(self.records) - RECORDS_SHOWN
        shown += f" and {more} more" if more > 0 else ""
        word = "record" if len(self.records) == 1 else "records"
        return f"{self.name}{born} (your {word} {shown})"


def subjects(
    group: Sequence[Contact],
    dobs: Mapping[str, date | None],
    records: Mapping[str, Sequence[str]],
) -> list[Subject]:
    """The people on a card, each with their date of birth and that service's
    record ids when the worker sees them."""
    return [Subject(c.member_name, dobs.get(c.person_id),
                    tuple(records.get(c.person_id, ())))
            for c in group]  # fmt: skip


def _listed(people: Sequence[Subject]) -> str:
    texts = [p.text() for p in people]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def prepare(
    group: Sequence[Contact],
    people: Sequence[Subject],
    sender: Sender,
    case_ref: str,
    question: str,
) -> Prepared:
    """The request's email and phone words for one who-to-call card."""
    c = group[0]
    service, lead = c.service, c.lead.name
    ask = question.strip() or DEFAULT_QUESTION
    team = f", {sender.team}" if sender.team.strip() else ""
    reach = sender.reach.strip()
    subject = f"{case_ref}: {service}: request for information"
    body = "\n".join([
        f"Dear {lead or 'colleague'},",
        "",
        f"I am {sender.name}{team}, working on case {case_ref}. Your service "
        f"({service}) is recorded as involved with {_listed(people)}.",
        "",
        ask,
        "",
        f"You can reach me on {reach}." if reach else "Please reply to this email.",
        "",
        "Thank you,",
        sender.name,
        *([sender.team.strip()] if team else []),
    ])  # fmt: skip
    script = " ".join([
        f"Hello{', is that ' + lead + '?' if lead else '.'}",
        f"My name is {sender.name}{team}. I am calling about case {case_ref}.",
        f"{service} is recorded as working with {_listed(people)}.",
        ask,
        f"If it is easier to call me back, I am on {reach}." if reach else "",
    ]).strip()  # fmt: skip
    return Prepared(subject, body, script)


def mailto(address: str, prepared: Prepared) -> str:
    """A mailto: address that opens the email ready to send (never a web link)."""
    return (f"mailto:{quote(address, safe='@')}?subject={quote(prepared.subject)}"
            f"&body={quote(prepared.body)}")  # fmt: skip
