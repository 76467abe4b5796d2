"""Markdown helpers: escaping recorded values and phone/email links."""

from __future__ import annotations

import re

#: Markdown and Streamlit markup characters (":red[...]" needs the bracket).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")
#: What GitHub-flavoured Markdown turns into a link by itself: a scheme or
#: "www." before a domain, and the "@" of an email address.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|www|mailto|xmpp)(?=[:.])|(?<=[\w.+-])(@)")
#: WORD JOINER: invisible and unbreakable, it stops the autolink from matching.
_JOINER = "\u2060"


def _escaped(value: object) -> str:
    return _MARKDOWN.sub(r"\\\1", str(value)) if value is not None else ""


def md(value: object) -> str:
    """A recorded value made safe to put inside Markdown: markup escaped, and a
    web address or email address in it left as plain text, never a link (an
    extract's text must not send a worker to a site it names)."""
    return _AUTOLINK.sub(
        lambda m: m[1] + _JOINER if m[1] else _JOINER + "@", _escaped(value)
    )


def tel_link(phone: str | None) -> str:
    """'[0161 000 1111](tel:01610001111)', or '' when no phone is recorded."""
    if not phone:
        return ""
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"[{_escaped(phone)}](tel:{digits})" if digits else md(phone)


def mailto_link(email: str | None) -> str:
    """'[name@x](mailto:name@x)', or '' when no email is recorded."""
    if not email or not re.fullmatch(r"[^@\s()<>]+@[^@\s()<>]+", email):
        return md(email) if email else ""
    # inside a link's text nothing is linked again
    return f"[{_escaped(email)}](mailto:{email})"


def call_link(phone: str | None) -> str:
    """'[Call 0161 000 1111](tel:01610001111)': link text that makes sense alone."""
    link = tel_link(phone)
    return f"[Call {link[1:]}" if link.startswith("[") else link


def email_link(email: str | None) -> str:
    """'[Email name@x](mailto:name@x)', or the bare text if it is not an address."""
    link = mailto_link(email)
    return f"[Email {link[1:]}" if link.startswith("[") else link
