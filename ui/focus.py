"""Focus follows an action: after a search, opening a record, preparing the
summary or opening a form, keyboard and screen-reader users land on what the
action brought up, not at the top of the page (WCAG 2.4.3).

An action names its target (``move_to``); the page wraps that content in
``target(name)``; the end of the run (``apply``) adds a small script that focuses
the target's heading (made focusable, tabindex -1) or its first field.

The script's text never changes (the target is named in a data attribute beside
it), so the reverse proxy's Content-Security-Policy allows it by its hash
(``SCRIPT_HASH``, in ``deploy/nginx/family-context-headers.conf``) and no
inline script of any other text runs.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

import streamlit as st

_KEY = "fc_focus"
_SCRIPT = """(() => {
  const marks = document.querySelectorAll('[data-fc-focus]');
  const mark = marks.length && marks[marks.length - 1].dataset.fcFocus;
  const box = () => mark && document.querySelector('.st-key-' + mark);
  let tries = 0;
  const go = () => {
    // the run's leftovers (a form just submitted) linger, greyed, for a moment
    const settled = !document.querySelector('[data-stale="true"]');
    const b = settled && box();
    const el = b && b.querySelector(
      'textarea, input, h1, h2, h3, h4, h5, [data-testid="stAlert"], button');
    if (el) {
      if (!el.matches('textarea, input, button')) el.setAttribute('tabindex', '-1');
      el.focus();
      el.scrollIntoView({block: 'nearest'});
    } else if (tries++ < 80) {
      setTimeout(go, 50);
    }
  };
  go();
})();"""

#: The CSP source allowing exactly ``_SCRIPT`` (``'sha256-…'``).
_DIGEST = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
SCRIPT_HASH = f"'sha256-{_DIGEST}'"


def _name(target: str) -> str:
    return "focus_" + re.sub(r"[^A-Za-z0-9_-]", "_", target)


def move_to(target: str) -> None:
    """After this action, focus goes to ``target``'s content."""
    st.session_state[_KEY] = target


def target(name: str):  # noqa: ANN201 (Streamlit's container)
    """The container holding a focus target (its key names it in the page)."""
    return st.container(key=_name(name))


def apply() -> None:
    """Focus the pending target, once (called at the end of a run)."""
    pending = st.session_state.pop(_KEY, None)
    if pending is None:
        return
    mark = html.escape(_name(pending), quote=True)
    st.html(
        f'<span hidden data-fc-focus="{mark}"></span><script>{_SCRIPT}</script>',
        unsafe_allow_javascript=True,
    )
