"""One report, format-neutral: its blocks as published, and the truth of every figure.

A report is composed from a plan (who, which year, which form and flaws) and the
body's true figures: a planted slip changes the printed numbers, the publisher's
habits decide how each cell is printed (blank, dash, unit, sign), and the truth
record is read off the printed cells with keys.md's semantics — a blank or a dash is
`null`, a number in 元 becomes 万元. Renderers only lay the blocks out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pipeline.demo.draw import Draw
from pipeline.demo.numbers import Figures
from pipeline.demo.plan import Plan
from pipeline.demo.plant import Planted, plant
from pipeline.demo.prose import MARKER, write
from pipeline.demo.tables import Grid, Style, t2_grid, t3_grid, t3_split_row, t4_grid
from pipeline.template import T2_ROWS, T3_COLUMNS, T3_LAYOUTS, T4_KEYS, t2_key, t3_key

Number = int | float

HEADINGS = {
    "overview": ("一、总体情况",),
    "t2": ("二、主动公开政府信息情况",),
    "t3": ("三、收到和处理政府信息公开申请情况",),
    "t4": ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"),
    "problems": ("五、存在的主要问题及改进情况", "五、存在问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
    "other": ("六、其他需要报告的事项",),
}
DASHES = ("—", "/", "无", "-")
CELL_NOTES = ("（含简易程序）", "（按办件量统计）")


@dataclass(frozen=True)
class Text:
    """A paragraph; `role` tells renderers how to set it (title, marker, heading, body, signature)."""

    text: str
    role: str = "body"


Block = Text | Grid


@dataclass
class Report:
    """Everything a renderer draws and everything the truth record says."""

    plan: Plan
    published: date
    title: tuple[str, ...]
    blocks: list[Block]
    values: dict[str, Number | None]
    planted: list[Planted] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The file name."""
        return self.plan.source

    @property
    def agency(self) -> str:
        """The issuing body, as the title names it."""
        return self.plan.body.name


def compose(plan: Plan, figures: Figures, seed: int) -> Report:
    """The report a plan publishes, from the body's true figures of that year."""
    draw = Draw(seed, "report", plan.body.name, plan.year)
    numbers = _numbers(plan, figures)
    slip = plant(plan.error, numbers, plan.layout, draw) if plan.error else None
    printed, values = _print(plan, numbers, draw)
    style = Style(
        wrap_headers=draw.chance(0.5) and plan.form in ("html", "text", "docx"),
        halfwidth=draw.chance(0.1),
        enumeration_comma=draw.chance(0.1) and plan.form != "scraped",
        sum_label="合计" if draw.chance(0.03) else "总计",
    )
    requests = tuple(numbers[t3_key(row, "total")] for row in ("new_requests", "total_processed", "carried_forward"))
    prose = write(plan.body, plan.year, figures.text, requests, draw)
    values.update(prose.stated)
    title = _title(plan, draw)
    blocks: list[Block] = [Text(line, "title") for line in title] + [Text(MARKER, "marker")]
    blocks += [Text(p) for p in prose.preface]
    blocks += _section(draw, "overview", prose.overview)
    blocks += [Text(draw.pick(HEADINGS["t2"]), "heading"), t2_grid(plan.version, printed, style)]
    blocks += [Text(draw.pick(HEADINGS["t3"]), "heading"), *_t3_blocks(plan, printed, style)]
    blocks += [Text(draw.pick(HEADINGS["t4"]), "heading"), t4_grid(printed, style)]
    blocks += _section(draw, "problems", prose.problems) + _section(draw, "other", prose.other)
    published = date(plan.year + 1, draw.between(1, 3), draw.between(5, 28))
    blocks += [Text(plan.body.name, "signature"), Text(f"{published.year}年{published.month}月{published.day}日", "signature")]
    if plan.form == "cut":
        blocks, values = _cut(blocks, values, prose.late)
    return Report(plan, published, title, blocks, values, [slip] if slip else [])


def _cut(blocks: list[Block], values: dict[str, Number | None], late: set[str]) -> tuple[list[Block], dict[str, Number | None]]:
    """A copy cut off after Table 二: the blocks up to it, and only the values they print
    (Tables 三 and 四 and the figures stated after the tables are absent)."""
    end = next(i for i, block in enumerate(blocks) if isinstance(block, Grid)) + 1
    kept = {k: v for k, v in values.items() if k.startswith("t2.") or (k.startswith("text.") and k not in late)}
    return blocks[:end], kept


def _section(draw: Draw, name: str, paragraphs: list[str]) -> list[Block]:
    """A section heading in one of its printed variants (D16), then its paragraphs."""
    return [Text(draw.pick(HEADINGS[name]), "heading"), *(Text(p) for p in paragraphs if p)]


def _t3_blocks(plan: Plan, printed: dict[str, str], style: Style) -> list[Block]:
    """Table 三, cut in two at （四） where the publisher split it (D8)."""
    grid = t3_grid(plan.layout, printed, style)
    if "split_table" not in plan.blemishes:
        return [grid]
    first, second = grid.split(t3_split_row(plan.layout))
    return [first, Text("（续表）"), second]


def _title(plan: Plan, draw: Draw) -> tuple[str, ...]:
    """The title in one of the three shapes real reports use."""
    name, year = plan.body.name, plan.year
    return draw.pick(
        (
            (name, f"{year}年政府信息公开工作年度报告"),
            (f"{name}{year}年度政府信息公开工作年度报告",),
            (f"{year}年{name}政府信息公开工作年度报告",),
        )
    )


# ---------------------------------------------------------------- the cells


def printed_keys(plan: Plan) -> list[str]:
    """Every cell key the report's tables print, in table order."""
    t2 = [t2_key(row.key, column) for row in T2_ROWS[plan.version] for column in row.columns]
    t3 = [t3_key(row.key, column) for row in T3_LAYOUTS[plan.layout] for column in T3_COLUMNS]
    return t2 + t3 + list(T4_KEYS)


def _numbers(plan: Plan, figures: Figures) -> dict[str, int | Decimal]:
    """The true number of every printed cell."""
    every = dict(figures.t2) | figures.t4
    every |= {t3_key(row, column): n for row, cells in figures.t3.items() for column, n in cells.items()}
    return {key: every[key] for key in printed_keys(plan)}


def _print(plan: Plan, numbers: dict[str, int | Decimal], draw: Draw) -> tuple[dict[str, str], dict[str, Number | None]]:
    """Each cell as printed, and its truth (None where blank or dashed)."""
    flaws = plan.blemishes
    dash = draw.pick(DASHES)
    plus = draw.chance(0.5)
    unit = draw.weighted({"万元": 0.4, "元": 0.3, "": 0.3})
    blank_totals = set(_outcome_totals(plan.layout)) if "blank_totals" in flaws else set()
    printed: dict[str, str] = {}
    values: dict[str, Number | None] = {}
    for key, number in numbers.items():
        text = _format(key, number, plus, unit)
        if number == 0 and "blank_zeros" in flaws or key in blank_totals:
            text = ""
        elif number == 0 and "dash_zeros" in flaws and not key.startswith("t3."):
            text = dash
        elif number and "cell_units" in flaws and key.startswith("t2.") and draw.chance(0.3):
            text = _with_unit(key, text, draw)
        printed[key] = text
        values[key] = None if text in ("", dash) else _value(number)
    return printed, values


def _outcome_totals(layout: str) -> list[str]:
    """The 总计 cells of rows （一）–（六）, which some publishers leave blank (上海 2019)."""
    keys = [row.key for row in T3_LAYOUTS[layout]]
    return [t3_key(row, "total") for row in keys[keys.index("disclosed") : keys.index("total_processed")]]


def _format(key: str, number: int | Decimal, plus: bool, unit: str) -> str:
    """A number as the publisher prints it: signed changes, procurement in its unit."""
    if key.endswith("items_change"):
        return f"+{number}" if plus and number > 0 else str(number)
    if key.endswith("procurement_amount_wan_yuan") and number:
        if unit == "元":
            return f"{_plain(Decimal(number) * 10000)}元"
        return f"{_plain(Decimal(number))}{unit}"
    return _plain(Decimal(number))


def _plain(amount: Decimal) -> str:
    """A decimal without exponent or trailing zeros."""
    return format(amount.normalize(), "f")


def _with_unit(key: str, text: str, draw: Draw) -> str:
    """A unit or a note written into a cell (D5)."""
    if key.endswith("_wan_yuan") or key.endswith("items_change"):
        return text
    unit = "个" if key.endswith("prior_year_items") else "件"
    note = draw.pick(CELL_NOTES) if key.endswith("decisions") and draw.chance(0.3) else ""
    return f"{text}{unit}{note}"


def _value(number: int | Decimal) -> Number:
    """The number as keys.md stores it: an int where whole."""
    if isinstance(number, Decimal) and number != number.to_integral_value():
        return float(number)
    return int(number)
