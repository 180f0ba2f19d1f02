"""Numbers for Chinese readers (万, 亿, 百分点), CSV files Excel opens correctly (UTF-8 with a BOM) and
report text made inert: formulas neutralised in exports, markdown escaped on screen."""

from __future__ import annotations

import re

import polars as pl


def fmt_number(value: float | None, unit: str = "") -> str:
    """1,234 · 12.3万 · 1.23亿 · 45.6% · 340.1万元 — with the unit; '—' where there is no value."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    size = abs(value)
    if size >= 1e8:
        text = f"{value / 1e8:,.2f}亿"
    elif size >= 1e5 and unit != "万元":
        text = f"{value / 1e4:,.1f}万"
    elif value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{1 if size >= 100 else 2}f}".rstrip("0").rstrip(".")
    return text + unit


def fmt_change(value: float | None, unit: str) -> str | None:
    """A year-over-year change with its sign; rates change in 百分点."""
    if value is None:
        return None
    sign = "+" if value > 0 else ""
    if unit == "%":
        return f"{sign}{value:.1f}个百分点"
    return sign + fmt_number(value, unit)


# ---------------------------------------------------------------- exports

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)
_FORMULA_PATTERN = "^[=+\\-@\t\r]"


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text with a leading quote.

    Report text is data: an agency named `=HYPERLINK(...)` must open as that name, never as a
    formula. Only text is touched, so a negative number stored as a number stays a number.
    Every export (CSV here, xlsx elsewhere) passes its cells through this or `neutralise_frame`.
    """
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`neutralise_cell` applied to every text (and categorical) column; numbers are left as they are."""
    text = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)]
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(_FORMULA_PATTERN))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )


def csv_bytes(frame: pl.DataFrame, columns: dict[str, str]) -> bytes:
    """The rows with Chinese headers as UTF-8 CSV with a BOM (so Excel opens it correctly), formulas neutralised."""
    table = frame.select([pl.col(src).alias(dst) for src, dst in columns.items() if src in frame.columns])
    return "\ufeff".encode() + neutralise_frame(table).write_csv().encode("utf-8")


# ---------------------------------------------------------------- markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^\"'])")


def escape_markdown(text: object) -> str:
    """Report text for a Markdown-rendering element, shown exactly as written and never parsed.

    Every ASCII punctuation mark that Markdown, GitHub autolinks, Streamlit's `:color[...]`
    and `:material/...:` directives or LaTeX could act on is backslash-escaped, and line breaks
    become spaces, so a body named `![](https://…)街道` is text, not an image or a link.
    """
    flat = " ".join(str(text).splitlines())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def china_time(column: pl.Expr) -> pl.Expr:
    """A UTC timestamp as China time (Asia/Shanghai) text, e.g. 2026-12-01 13:05; '—' where absent."""
    return column.dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M").fill_null("—")


#: How a cell with no number is printed in a table or a document.
STATUS_MARK = {"blank": "（空白）", "dash": "（—）"}


def printed_cell(status: str, value: float | None, raw: str | None) -> str:
    """A cell as the report prints it: a derived value says so, an undecided one lists its readings.

    A reported value is shown from the number read, not `raw`, which may hold a scraped row's whole digit run.
    """
    if status == "derived":
        return f"{exact_number(value)}（推算）"
    if status == "ambiguous":
        return f"（无法确定：{raw}）"
    return STATUS_MARK.get(status) or exact_number(value)


def exact_number(value: float | None) -> str:
    """Every digit of a value, with thousands separators (1,234,567 · 7,730.28): a cell is never shown as 12.3万."""
    if value is None:
        return "—"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")
