"""Every page reads in Chinese: no English words outside an allowlist, no None / nan, no raw keys.

The text scanned is what the page shows on the demo city: titles, headings, captions, notices,
widget labels and their displayed options, metric cards and every table's headers and cells.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from dashboard_fixtures import PAGES

#: Words that may appear: file forms, the units and names a Chinese reader uses as they are.
ALLOWED = {"CSV", "Excel", "Word", "PDF", "DOCX", "HTML", "TXT", "Markdown", "MB", "Wilson", "toml", "secrets",
           "upload_password", "streamlit", "python", "pipeline", "ingest", "register", "csv", "name", "division_code",
           "report_scope", "scope", "body", "region", "year", "XXGK_MIN_CASES", "XXGK_JUMP_FACTOR", "XXGK_JUMP_FLOOR",
           "XXGK_OUTLIER_Z", "XXGK_MIN_PEERS", "xxgk", "OCR"}  # fmt: skip
RULE_ID = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")
FILE_NAME = re.compile(r"[\w\-（）()]+\.(?:txt|pdf|html?|docx|md|markdown|csv|xlsx)\b", re.IGNORECASE)
FORMULA = re.compile(r"`[^`]*`")  # code a page quotes on purpose (formulas over keys on 指标说明, commands)
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
RAW_KEY = re.compile(r"\b(?:t2|t3|t4|text)\.[a-z_.]+|\b[a-z]+(?:_[a-z]+)+\b")
EMPTY = re.compile(r"\b(?:None|nan|NaN|null|NaT)\b")


def _texts(node) -> list[str]:
    """Every string a user sees in this element and below it."""
    found: list[str] = []
    kind = type(node).__name__
    choices = ("Selectbox", "Multiselect", "Radio", "SelectSlider", "ButtonGroup")
    for attribute in ("value", "label", "body", "placeholder", "help"):
        skip = kind in ("Dataframe", "Table") or (attribute == "value" and kind in choices)  # a choice shows its label
        skip = skip or kind == "Text"  # st.text shows only a report's own text (单位画像's source): data, not UI
        value = None if skip else getattr(node, attribute, None)
        if isinstance(value, str):
            found.append(value)
    if kind in choices:
        found += [str(o) for o in getattr(node, "options", [])]
    if kind == "Dataframe":
        table = pl.from_pandas(node.value) if not isinstance(node.value, pl.DataFrame) else node.value
        found += table.columns
        for column in table.select(pl.col(pl.String)).columns:
            found += [v if v is not None else "None" for v in table[column].head(300).to_list()]
    for child in getattr(node, "children", {}).values():
        found += _texts(child)
    return found


def _leaks(text: str) -> list[str]:
    text = re.sub(r"\\(.)", r"\1", text)  # as the viewer reads it: report text is Markdown-escaped
    text = FORMULA.sub(" ", FILE_NAME.sub(" ", RULE_ID.sub(" ", text)))
    bad = [w for w in WORD.findall(text) if w not in ALLOWED]
    return bad + EMPTY.findall(text) + [k for k in RAW_KEY.findall(text) if k not in ALLOWED]


@pytest.mark.parametrize("page", list(PAGES))
def test_no_english_none_or_raw_keys_on_any_page(dashboard, demo_root, page):
    at = dashboard(demo_root)
    at.secrets["upload_password"] = "测试密码"
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    leaks = {text[:80]: _leaks(text) for text in _texts(at.main) + _texts(at.sidebar)}
    assert {t: w for t, w in leaks.items() if w} == {}


def test_a_body_profile_with_findings_reads_in_chinese(dashboard, demo_root):
    from warehouse import store

    with store.connect(demo_root) as con:
        agency = con.sql("SELECT agency_id FROM findings WHERE outcome = 'fail' ORDER BY agency_id LIMIT 1").fetchall()[0][0]
    at = dashboard(demo_root, {"agency": agency})
    at.run()
    at.switch_page("pages/agency.py").run()
    at.query_params["agency"] = agency
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(t.value == "校验发现" for t in at.subheader)
    leaks = {text[:80]: _leaks(text) for text in _texts(at.main)}
    assert {t: w for t, w in leaks.items() if w} == {}
