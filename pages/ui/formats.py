"""Numbers for Chinese readers (万, 亿, 百分点) and CSV files Excel opens correctly (UTF-8 with a BOM)."""

from __future__ import annotations

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


# ---------------------------------------------------------------- CSV downloads


def csv_bytes(frame: pl.DataFrame, columns: dict[str, str]) -> bytes:
    """The rows with Chinese headers as UTF-8 CSV with a BOM, so Excel opens it correctly."""
    table = frame.select([pl.col(src).alias(dst) for src, dst in columns.items() if src in frame.columns])
    return "\ufeff".encode() + table.write_csv().encode("utf-8")


def neutralise(text: str) -> str:
    """Text a spreadsheet would read as a formula (=, +, -, @, tab, CR first) made plain with a leading
    apostrophe: text from reports is data, never code."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def china_time(column: pl.Expr) -> pl.Expr:
    """A UTC timestamp as China time (Asia/Shanghai) text, e.g. 2026-12-01 13:05; '—' where absent."""
    return column.dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M").fill_null("—")
