"""Which report each body publishes each year, in which form, and with which flaws.

The proportions follow template.md §6: most reports are clean, a few leave zeros or
totals blank, use dashes, write units into cells, split a table; a few townships
keep the 2019 tables after 2021 (D1); a few reports are never published; about one
in thirty carries an arithmetic slip by the agency, planted where the rule that
should catch it can see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.demo.city import YEARS, Body
from pipeline.demo.draw import Draw

FORMATS = ("text", "scraped", "html", "docx", "pdf")
#: Crawled copies of text reports (issue 13): pipe rows in a page with site chrome and the
#: title broken over lines, a pipe after every cell, traditional characters, a copy cut off
#: after Table 二.
CRAWLED_FORMS = ("pipes", "cellpipes", "trad", "cut")
CRAWLED_SHARE = 0.1
SUFFIX = {"text": ".txt", "scraped": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf"} | {f: ".txt" for f in CRAWLED_FORMS}
#: Share of reports per form. `large` is for benchmarks, so it leans on the fast forms.
FORMAT_MIX = {
    "tiny": {"text": 0.2, "scraped": 0.15, "html": 0.3, "docx": 0.2, "pdf": 0.15},
    "small": {"text": 0.2, "scraped": 0.15, "html": 0.3, "docx": 0.2, "pdf": 0.15},
    "medium": {"text": 0.2, "scraped": 0.15, "html": 0.3, "docx": 0.2, "pdf": 0.15},
    "large": {"text": 0.3, "scraped": 0.2, "html": 0.4, "docx": 0.08, "pdf": 0.02},
}
MISSING = 0.03
#: Share of PDF reports published as scans, read back by OCR (issue 15); drawn from a stream of
#: their own, so no other draw moves. None at `large`, which benchmarks the text forms.
SCANNED = {"tiny": 0.05, "small": 0.05, "medium": 0.05, "large": 0.0}
#: Chance that a body keeps the 2019 tables in a 2021+ report, by level and year (D1).
LATE_OLD_FORMAT = {("township", 2021): 0.2, ("township", 2022): 0.06, ("district", 2021): 0.04, ("city", 2021): 0.02}
#: 2021-format reports that still print （六）其他处理 as one row.
SINGLE_OTHER_ROW = 0.05
#: Blemishes a report can show, with their chance; none of them fits the scraped form,
#: which loses blank cells altogether, except the label styles.
BLEMISHES = {
    "blank_zeros": 0.08,  # zero cells left empty (上海 2019)
    "blank_totals": 0.04,  # 总计 of the outcome rows left empty (D3)
    "dash_zeros": 0.03,  # 0 printed as —, / or 无 in Tables 二 and 四 (D4)
    "cell_units": 0.05,  # 件 / 个 and notes written into cells (D5)
    "split_table": 0.1,  # Table 三 cut in two at （四） (D8)
}
CELL_BLEMISHES = ("blank_zeros", "blank_totals", "dash_zeros", "cell_units")
ERROR_RATE = 0.035
ERRORS = {"T3-OFF": 0.25, "T3-ROW": 0.25, "T3-SUM-RESULT": 0.2, "T4-SUM": 0.15, "T3-XYEAR": 0.15}


@dataclass
class Plan:
    """One report to publish."""

    body: Body
    year: int
    form: str
    version: str
    layout: str
    blemishes: set[str] = field(default_factory=set)
    error: str | None = None
    scanned: bool = False  # a PDF form published as page images only (render.scan)

    @property
    def source(self) -> str:
        """The file name the report is published under."""
        return f"{self.body.name}{self.year}年政府信息公开工作年度报告{SUFFIX[self.form]}"


def plans(body: Body, seed: int, scale: str) -> list[Plan]:
    """The reports one body publishes, oldest first."""
    draw = Draw(seed, "plan", body.name)
    crawl = Draw(seed, "crawl", body.name)  # its own stream: the published forms stay as they were
    home = draw.weighted(FORMAT_MIX[scale])
    out: list[Plan] = []
    for year in YEARS:
        if draw.chance(MISSING):
            continue
        if draw.chance(0.2):
            home = draw.weighted(FORMAT_MIX[scale])
        version = _version(draw, body, year)
        layout = "single_other" if version == "2019" or draw.chance(SINGLE_OTHER_ROW) else "split_other"
        plan = Plan(body, year, home, version, layout, _blemishes(draw, home))
        if crawl.chance(CRAWLED_SHARE):
            plan.form = crawl.pick(CRAWLED_FORMS)
        plan.scanned = plan.form == "pdf" and Draw(seed, "scan", body.name, year).chance(SCANNED[scale])
        if draw.chance(ERROR_RATE) and plan.form != "cut":  # a cut copy does not print Table 三
            _plant(plan, draw.weighted(ERRORS), out)
        out.append(plan)
    return out


def _version(draw: Draw, body: Body, year: int) -> str:
    """The template of the year, except where a body kept the old tables."""
    if year < 2021:
        return "2019"
    return "2019" if draw.chance(LATE_OLD_FORMAT.get((body.level, year), 0.0)) else "2021"


def _blemishes(draw: Draw, form: str) -> set[str]:
    """The flaws of one report that its form can show."""
    found = {name for name, p in BLEMISHES.items() if draw.chance(p)}
    if form == "scraped":
        return set()
    if form == "pdf":
        found.discard("split_table")  # a PDF splits its tables at page breaks by itself
    return found


def _plant(plan: Plan, rule: str, earlier: list[Plan]) -> None:
    """Mark a report for an arithmetic slip its rule can see: no blank cells around it,
    and for T3-XYEAR a published report of the year before, with no blank cells either."""
    if rule == "T3-XYEAR":
        before = earlier[-1] if earlier and earlier[-1].year == plan.year - 1 else None
        if before is None or before.error is not None or before.form == "cut":
            return
        before.blemishes -= set(CELL_BLEMISHES)
    plan.error = rule
    plan.blemishes -= set(CELL_BLEMISHES)
