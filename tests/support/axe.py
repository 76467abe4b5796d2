"""axe-core (npm, pinned in tests/a11y/package-lock.json) run inside a Playwright
page, plus the checks axe leaves out: sideways scrolling at a narrow width and the
contrast of the keyboard focus indicator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support.browser import ROOT

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's own tag names).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("critical", "serious")


@dataclass(frozen=True)
class Finding:
    """One failed axe rule on one page state: how bad, how many nodes, where."""

    rule: str
    impact: str
    nodes: int
    targets: tuple[str, ...]


def axe_missing() -> str | None:
    """Why the run cannot happen ('npm ci --prefix tests/a11y'), or None."""
    if AXE.exists():
        return None
    return f"{AXE} is missing: run `npm ci --prefix tests/a11y` (make test does)"


def run_axe(page) -> list[Finding]:
    """Every WCAG 2.2 AA violation axe finds in the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=Path(AXE).read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    return [
        Finding(
            v["id"],
            v.get("impact") or "minor",
            len(v["nodes"]),
            tuple(_where(n) for n in v["nodes"][:5]),
        )  # fmt: skip
        for v in result["violations"]
    ]


def _where(node: dict) -> str:
    """The node's markup (cut short) and, for contrast, the colours axe saw."""
    seen = [c.get("data") for c in node.get("any", []) if c.get("data")]
    colours = seen[0] if seen and isinstance(seen[0], dict) else {}
    pair = f" {colours.get('fgColor')} on {colours.get('bgColor')}" if colours else ""
    return node["html"][:160] + pair


def blocking(findings: list[Finding]) -> list[Finding]:
    """The critical and serious ones (the bar is none of them)."""
    return [f for f in findings if f.impact in BLOCKING]


#: The page's own scrolling boxes: the document and Streamlit's main view (which,
#: not the document, is what scrolls in a Streamlit app).
_OVERFLOW = """() => {
  const boxes = [document.documentElement, document.body,
    ...document.querySelectorAll('[data-testid="stAppViewContainer"],'
      + '[data-testid="stMain"],[data-testid="stMainBlockContainer"]')];
  return Math.max(0, ...boxes.map((b) => b.scrollWidth - b.clientWidth));
}"""


def sideways_overflow(page) -> int:
    """How many CSS pixels the page scrolls sideways (0: it does not)."""
    return page.evaluate(_OVERFLOW)


def settle(page, ms: int = 400) -> None:
    """Wait until Streamlit has finished the run (no running indicator, nothing
    greyed out as stale), then a moment for the last paint."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
    )
    page.wait_for_timeout(ms)


#: The contrast of the focused element's indicator against what is behind it:
#: the outline of the element or of the nearest of its five closest ancestors
#: that draws one (Streamlit's inputs outline their wrapper), else a box-shadow
#: ring; a half-transparent colour is blended over the background first.
_FOCUS_CONTRAST = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = (s) => { const v = (s.match(/[\\d.]+/g) || []).map(Number);
                        return v.length === 3 ? [...v, 1] : v.slice(0, 4); };
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92
                       : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (node) => {
    for (; node; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c.length === 4 && c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  let ring = null, host = el;
  for (let node = el, i = 0; node && i < 6 && !ring; node = node.parentElement, i++) {
    const s = getComputedStyle(node);
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) {
      ring = rgba(s.outlineColor); host = node;
    }
  }
  if (!ring) {
    const shadow = getComputedStyle(el).boxShadow;
    if (shadow && shadow !== 'none') ring = rgba(shadow);
  }
  if (!ring || ring[3] === 0) return 0;
  const back = behind(host.parentElement);
  const mixed = ring.slice(0, 3).map((c, i) => c * ring[3] + back[i] * (1 - ring[3]));
  const [a, b] = [lum(mixed), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def focus_contrast(page) -> float | None:
    """Contrast of the focused element's indicator (None: nothing focused, 0: no
    visible indicator)."""
    return page.evaluate(_FOCUS_CONTRAST)
