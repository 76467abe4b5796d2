"""Markdown helpers: escaping recorded values and phone/email links."""

from __future__ import annotations

import re

from lookup.services import Lead

#: Markdown and Streamlit markup characters (":red[...]" needs the bracket).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")


def md(value: object) -> str:
    """A recorded value made safe to put inside Markdown."""
    return _MARKDOWN.sub(r"\\\1", str(value)) if value is not None else ""


def tel_link(phone: str | None) -> str:
    """'[0161 000 1111](tel:01610001111)', or '' when no phone is recorded."""
    if not phone:
        return ""
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"[{md(phone)}](tel:{digits})" if digits else md(phone)


def mailto_link(email: str | None) -> str:
    """'[name@x](mailto:name@x)', or '' when no email is recorded."""
    if not email or not re.fullmatch(r"[^@\s()<>]+@[^@\s()<>]+", email):
        return md(email) if email else ""
    return f"[{md(email)}](mailto:{email})"


def lead_lines(lead: Lead | None) -> str:
    """Name, role and team, then phone and email links, as Markdown lines."""
    if lead is None or not any((lead.name, lead.role, lead.team)):
        who = "No lead professional recorded"
    else:
        who = ", ".join(md(p) for p in (lead.name, lead.role, lead.team) if p)
    contacts = " · ".join(
        p for p in (tel_link(lead.phone if lead else None),
                    mailto_link(lead.email if lead else None)) if p
    )  # fmt: skip
    return f"{who}  \n{contacts or 'No phone or email recorded'}"


def lead_inline(lead: Lead | None) -> str:
    """``lead_lines`` on one line, for a table cell."""
    return lead_lines(lead).replace("  \n", "; ") if lead else ""


def call_link(phone: str | None) -> str:
    """'[Call 0161 000 1111](tel:01610001111)': link text that makes sense alone."""
    link = tel_link(phone)
    return f"[Call {link[1:]}" if link.startswith("[") else link


def email_link(email: str | None) -> str:
    """'[Email name@x](mailto:name@x)', or the bare text if it is not an address."""
    link = mailto_link(email)
    return f"[Email {link[1:]}" if link.startswith("[") else link
