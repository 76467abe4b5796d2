"""Column expressions that turn one extract column into one standard field.

Pure polars expressions, no row-by-row Python, so mapping a million rows costs
the same as mapping a thousand. Each returns null where the value is unusable;
``mapping`` counts those as field faults.
"""

from __future__ import annotations

import polars as pl

from sources.identifiers import nhs_number_expr, upn_expr

#: Lower-cased sex or gender values and the standard code they mean
#: (NHS Data Dictionary: 1 male, 2 female, 9 not specified, 0 not known).
SEX_CODES = {
    "f": "F", "female": "F", "girl": "F", "woman": "F", "2": "F", "02": "F",
    "m": "M", "male": "M", "boy": "M", "man": "M", "1": "M", "01": "M",
    "u": "U", "unknown": "U", "not known": "U", "not specified": "U",
    "not stated": "U", "indeterminate": "U", "i": "U", "x": "U", "other": "U",
    "9": "U", "0": "U", "00": "U", "09": "U",
}  # fmt: skip

#: Name values that stand for "no name" (an unborn child, an unknown suspect).
PLACEHOLDER_NAMES = (
    "unknown", "not known", "n/k", "nk", "tbc", "tba", "unborn", "baby",
    "unnamed", "anon", "anonymous", "?", "-", "x", "xx", "xxx", "none", "null",
)  # fmt: skip

_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


def text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A column as trimmed text (null when empty), whatever type it was read as.

    Whole-number floats (Excel stores numbers as floats) lose their ".0".
    """
    if dtype == pl.String:
        out = expr
    elif dtype.is_float():
        whole = expr.cast(pl.Int64, strict=False)
        out = pl.when(expr == whole).then(whole.cast(pl.String))
        out = out.otherwise(expr.cast(pl.String))
    elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        out = expr.dt.date().cast(pl.String)
    else:
        out = expr.cast(pl.String)
    out = out.str.strip_chars()
    return pl.when(out != "").then(out)


def one_line(expr: pl.Expr) -> pl.Expr:
    """Text on one line: line breaks become ", ", runs of spaces one space."""
    broken = pl.when(expr.str.contains(r"[\r\n]")).then(expr)
    out = pl.coalesce(broken.str.replace_all(r"\s*[\r\n]+\s*", ", "), expr)
    spaced = out.str.contains("  ", literal=True) | out.str.contains("\t", literal=True)
    out = pl.coalesce(pl.when(spaced).then(out).str.replace_all(r"[ \t]+", " "), out)
    return pl.when(out != "").then(out)


def date_value(expr: pl.Expr, dtype: pl.DataType, fmt: str) -> pl.Expr:
    """A date from a Date/Datetime column, or from text in ``fmt``.

    Text with a time after the date ("2014-05-03 00:00:00.000", as SQL Server
    exports) is read from its date part. Unparseable text becomes null.
    """
    if dtype == pl.Date:
        return expr
    if isinstance(dtype, pl.Datetime):
        return expr.dt.date()
    raw = text(expr, dtype)
    whole = raw.str.strptime(pl.Date, fmt, strict=False)
    # only values that did not parse whole are searched for a time (most parse)
    rest = pl.when(whole.is_null()).then(raw)
    head = rest.str.extract(r"^(\S+)[ T]\d{1,2}:\d{2}").str.strptime(
        pl.Date, fmt, strict=False
    )
    return pl.coalesce(whole, head)


def sex(raw: pl.Expr) -> pl.Expr:
    """F, M or U from the many ways systems record sex; null if unrecognised."""
    return raw.str.to_lowercase().replace_strict(SEX_CODES, default=None)


def postcode(raw: pl.Expr) -> pl.Expr:
    """Upper-cased with one space before the inward code; null if not UK-shaped."""
    packed = raw.str.to_uppercase().str.replace_all(r"\s", "")
    spaced = pl.concat_str([packed.str.head(-3), packed.str.tail(3)], separator=" ")
    return pl.when(spaced.str.contains(_POSTCODE)).then(spaced)


def nhs_number(raw: pl.Expr) -> pl.Expr:
    """Ten digits with a valid check digit, else null."""
    return nhs_number_expr(raw)


def upn(raw: pl.Expr) -> pl.Expr:
    """A UPN upper-cased with a valid check letter, else null."""
    return upn_expr(raw)


def split_full_name(full: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(first, last) from "SURNAME, Forename" or "Forename Middle Surname"."""
    comma = full.str.contains(",", literal=True)
    last = pl.when(comma).then(full.str.extract(r"^([^,]*),", 1))
    last = last.otherwise(full.str.extract(r"(\S+)$", 1))
    first = pl.when(comma).then(full.str.extract(r",(.*)$", 1))
    first = first.otherwise(full.str.extract(r"^(.*\S)\s+\S+$", 1))
    return _blank_null(first), _blank_null(last)


def _blank_null(expr: pl.Expr) -> pl.Expr:
    out = expr.str.strip_chars()
    return pl.when(out != "").then(out)


def usable_name(name: pl.Expr) -> pl.Expr:
    """True when a name has a letter and is not a placeholder such as UNKNOWN."""
    lower = name.str.to_lowercase()
    return (
        name.is_not_null()
        & lower.str.contains(r"\p{L}")
        & ~lower.is_in(list(PLACEHOLDER_NAMES))
    ).fill_null(False)


#: Between several family or household references of one record.
REFS = ";"


def prefixed(raw: pl.Expr, source: str) -> pl.Expr:
    """A family or household reference made unique across sources; several
    (joined by ``REFS``: a person in two family groups) each so, blanks dropped."""
    stripped = raw.str.split(REFS).list.eval(pl.element().str.strip_chars())
    items = stripped.list.eval(pl.element().filter(pl.element() != ""))
    joined = items.list.eval(pl.lit(f"{source}:") + pl.element()).list.join(REFS)
    return pl.when(joined != "").then(joined)


def restriction_code(value: str) -> str:
    """A restriction value as one code: lower case, spaces and hyphens as "_"."""
    return "_".join(value.strip().lower().replace("-", " ").split())


def restricted(expr: pl.Expr, unrestricted: tuple[str, ...]) -> pl.Expr:
    """Why the source restricts the record ("adoption", "y" …), else null.

    Blank and the source's "not restricted" values give null; any other value
    restricts, so an unexpected code withholds rather than discloses.
    """
    code = (
        expr.str.to_lowercase()
        .str.replace_all(r"[\s\-]+", "_")
        .str.strip_chars("_")
        .str.slice(0, 32)
    )
    free = [restriction_code(v) for v in unrestricted]
    return pl.when((code != "") & ~code.is_in(free)).then(code)
