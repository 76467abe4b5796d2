"""Markdown helpers: escaping recorded values and phone/email links."""

from __future__ import annotations

import re

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


def call_link(phone: str | None) -> str:
    """'[Call 0161 000 1111](tel:01610001111)': link text that makes sense alone."""
    link = tel_link(phone)
    return f"[Call {link[1:]}" if link.startswith("[") else link


def email_link(email: str | None) -> str:
    """'[Email name@x](mailto:name@x)', or the bare text if it is not an address."""
    link = mailto_link(email)
    return f"[Email {link[1:]}" if link.startswith("[") else link
