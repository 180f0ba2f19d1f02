"""A warehouse of hostile report text, and the scanner that tells live markup from inert text.

Report text is data, so names, places, file names and finding messages are where an
attacker writes: a body named `![](https://…)` would make every viewer's browser fetch
that image, `[text](url)` would be a link, `=HYPERLINK(…)` a spreadsheet formula. The
page tests and benchmarks/hardening_ui.py build this warehouse, render every page and
scan each element that Streamlit renders as Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path

from dashboard_fixtures import Report, build_warehouse, requests

EVIL = "evil.example"
HOSTILE_NAMES = (
    f"![](https://{EVIL}/t.png)街道办事处",
    f"[点击领取](https://{EVIL}/x)局",
    f'=HYPERLINK("https://{EVIL}/h","点击")委员会',
    f"@SUM(1+1)<img src=https://{EVIL}/i.png>办公室",
    f"+**粗体**:red[红字]$x^2$ www.{EVIL} 中心",
)
HOSTILE_PLACE = f"[乙市](https://{EVIL}/city)"
HOSTILE_MESSAGE = f"合计不符 ![](https://{EVIL}/f.png) [详情](https://{EVIL}/d)"

# live markup: an unescaped image or link, raw HTML, or a URL an autolinker would pick up
LIVE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|(?<!\\)<[a-z]|https?://|www\.", re.IGNORECASE)
MARKDOWN_FIELDS = ("body", "label", "help", "caption", "placeholder")


def hostile_warehouse(root: Path) -> Path:
    """Bodies with hostile names in a hostile city, two years each, the second a jump (so each is flagged)."""
    reports = []
    for name in HOSTILE_NAMES:
        finding = {"rule": "t3_total", "severity": "error", "outcome": "fail", "message_zh": HOSTILE_MESSAGE}
        reports.append(Report(name, 2022, requests(10, 8), city=HOSTILE_PLACE))
        reports.append(Report(name, 2023, requests(400, 300), city=HOSTILE_PLACE, findings=[finding]))
    # one body with too few requests for a rate: named in the ranking's 样本过少 caption
    reports.append(Report(HOSTILE_NAMES[1], 2024, requests(2, 1), city=HOSTILE_PLACE))
    quarantined = [{"source_file": f"{HOSTILE_NAMES[0]}.pdf", "source_path": f"/inbox/{HOSTILE_NAMES[1]}.pdf",
                    "reason": HOSTILE_MESSAGE}]  # fmt: skip
    return build_warehouse(root, reports, quarantined)


def markdown_texts(at) -> list[str]:
    """The source text of every element field Streamlit renders as Markdown (bodies, labels, help)."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            found.extend(value for field, value in proto.ListFields() if field.name in MARKDOWN_FIELDS and isinstance(value, str))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def hostile_rendered(texts: list[str]) -> tuple[int, int]:
    """How many texts carry hostile report text, and how many of those are inert."""
    hostile = [t for t in texts if EVIL in t.replace("\\", "")]
    return len(hostile), sum(1 for t in hostile if not LIVE.search(t))


def live_formula(cell: str) -> bool:
    """A CSV cell a spreadsheet would run as a formula: it starts with = + - @ tab or CR and is not a number."""
    from pages.ui.formats import FORMULA_LEADS

    if not cell.startswith(FORMULA_LEADS):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False
