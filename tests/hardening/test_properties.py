"""Properties over generated inputs (hypothesis).

1. No input makes a reader or an extractor raise anything but `ReportError`: random bytes
   under every report extension, random text, random HTML, table-shaped documents built
   from the template's own labels, and good reports with random bytes damaged.
2. A report rendered by the demo renderers (`pipeline.demo.render`, every published form)
   from hypothesis-generated figures reads back to exactly the values it prints, with its
   body, year and template version.

Examples are derandomised so CI is repeatable; `XXGK_HYPOTHESIS_EXPLORE=1` explores fresh
ones (and ten times as many) instead.
"""

from __future__ import annotations

import copy
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hardening.badinputs import FORMS, demo_bytes, sample
from pipeline.demo.city import bodies
from pipeline.demo.numbers import APPLICANTS, OUTCOMES, Figures
from pipeline.demo.plan import plans
from pipeline.demo.render import render
from pipeline.demo.report import compose
from pipeline.errors import ReportError
from pipeline.evaluate import same
from pipeline.extract import extract_bytes
from pipeline.readers import read_bytes
from pipeline.record import Record
from pipeline.template import T2_ROWS, T3_GROUPS, T3_LAYOUTS, T4_KEYS, t2_key

pytestmark = pytest.mark.slow  # hundreds of generated documents read end to end (make test)

EXPLORE = bool(os.environ.get("XXGK_HYPOTHESIS_EXPLORE"))


def examples(n: int) -> settings:
    return settings(
        max_examples=n * (10 if EXPLORE else 1),
        derandomize=not EXPLORE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def outcome(data: bytes, source: str) -> Record | ReportError:
    """Read and extract; a ReportError is a defined outcome, anything else fails the test."""
    try:
        read_bytes(data, source)
        return extract_bytes(data, source)
    except ReportError as exc:
        assert exc.source == source and str(exc).startswith(f"{source}: ") and exc.reason
        return exc


EXTENSIONS = st.sampled_from([".txt", ".pdf", ".docx", ".html", ".htm", ".md", ".text", ""])
HEADS = st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html>", b"\xef\xbb\xbf", b"\xff\xfe", b"<table>", b"\t"])


# ---------------------------------------------------------------- 1. only ReportError


@examples(150)
@given(head=HEADS, body=st.binary(max_size=4096), tail=st.sampled_from([b"", b"\n%%EOF\n"]), ext=EXTENSIONS)
def test_random_bytes(head: bytes, body: bytes, tail: bytes, ext: str) -> None:
    outcome(head + body + tail, f"random{ext}")


REPORTISH = st.sampled_from(
    list("一二三四五六七（）、.。，：:|\t \n-—/0123456789年件条万元")
    + ["政府信息公开", "工作年度报告", "2020年", "行政复议", "本年新收", "第二十条"]
)


@examples(100)
@given(
    text=st.lists(st.one_of(REPORTISH, st.text(max_size=8)), max_size=200).map("".join),
    encoding=st.sampled_from(["utf-8", "utf-16", "gb18030"]),
    ext=EXTENSIONS,
)
def test_random_text(text: str, encoding: str, ext: str) -> None:
    outcome(text.encode(encoding, "replace"), f"text{ext}")


def html_nodes(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(
        REPORTISH, st.sampled_from(["&nbsp;", "&amp;", "<br>", "<br/>", "&#0;", "&x;", "<!-- c -->", "<![CDATA[x]]>"])
    )
    if depth == 0:
        return leaf
    tag = st.sampled_from(["p", "div", "table", "tr", "td", "th", "span", "a", "script", "title", "body", "tbody", "b"])
    attrs = st.sampled_from(
        ["", ' rowspan="3"', ' colspan="0"', ' colspan="-1"', ' rowspan="99999"', ' colspan="x"', ' charset="gbk"']
    )
    inner = st.lists(html_nodes(depth - 1), max_size=5).map("".join)
    closed = st.booleans()
    return st.one_of(leaf, st.builds(lambda t, a, i, c: f"<{t}{a}>{i}" + (f"</{t}>" if c else ""), tag, attrs, inner, closed))


@examples(100)
@given(page=html_nodes(4), meta=st.sampled_from(["", '<meta charset="gb2312">', '<meta charset="bogus">', "<!DOCTYPE html>"]))
def test_random_html(page: str, meta: str) -> None:
    outcome((meta + page).encode("utf-8"), "page.html")


T3_LABELS = [row.label for row in T3_LAYOUTS["split_other"]]
T2_LABELS = [row.label for version in T2_ROWS.values() for row in version]
CELL = st.one_of(
    st.integers(-5, 99_999).map(str),
    st.sampled_from(["", "-", "—", "/", "无", "0.5", "12.34万元", "251000元", "+3", "1,024", "3件"]),
)


def table_rows() -> st.SearchStrategy[list[list[str]]]:
    row = st.tuples(st.sampled_from(T3_LABELS + T2_LABELS + ["总计", "行政复议", "自然人"]), st.lists(CELL, max_size=9))
    return st.lists(row.map(lambda r: [r[0], *r[1]]), max_size=40)


@examples(40)
@given(rows=table_rows(), form=st.sampled_from(["text", "markdown", "html", "scraped"]), title=st.booleans())
def test_table_shaped_documents(rows: list[list[str]], form: str, title: bool) -> None:
    """Template labels with random cells, laid out as each text-like form lays tables out."""
    head = "某某县人民政府2021年政府信息公开工作年度报告\n" if title else ""
    if form == "text":
        body = "\n".join("\n".join(f"\t{cell}" for cell in row) + "\n" for row in rows)
        data, name = head + "第二十条\n" + body, "t.txt"
    elif form == "markdown":
        data, name = head + "\n".join("| " + " | ".join(row) + " |" for row in rows), "t.md"
    elif form == "html":
        cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        data, name = f"<html><body><p>{head}</p><table>{cells}</table></body></html>", "t.html"
    else:
        data, name = head + "本年新收" + " ".join("".join(row) for row in rows), "t.txt"
    outcome(data.encode("utf-8"), name)


@examples(60)
@given(
    form=st.sampled_from([*FORMS, "sample"]),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1, exclude_max=True),
            st.sampled_from(["flip", "drop", "insert", "cut"]),
            st.binary(min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_damaged_good_reports(form: str, edits: list[tuple[float, str, bytes]]) -> None:
    """A good report in every form with a few random edits: flipped, dropped or inserted bytes, or a cut."""
    data = bytearray(sample() if form == "sample" else demo_bytes(form))
    for where, how, junk in edits:
        at = int(where * len(data))
        if how == "flip":
            data[at : at + len(junk)] = bytes(b ^ j for b, j in zip(data[at : at + len(junk)], junk, strict=False))
        elif how == "drop":
            del data[at : at + len(junk) * 64]
        elif how == "insert":
            data[at:at] = junk
        else:
            del data[max(at, 1) :]
    outcome(bytes(data), f"damaged.{'txt' if form in ('sample', 'text', 'scraped') else form}")


# ---------------------------------------------------------------- 2. render, then read back


def counts(hi: int) -> st.SearchStrategy[int]:
    """Small counts mostly (as reports print them), now and then a large one."""
    return st.one_of(st.integers(0, 12), st.integers(0, hi))


@st.composite
def figures(draw: st.DrawFn, year: int) -> Figures:
    """One year's figures, consistent as real tables are (row and column sums hold)."""
    handled = {c: {row: draw(counts(400)) for row in OUTCOMES} for c in APPLICANTS}
    t3: dict[str, dict[str, int]] = {}
    forward = {c: draw(counts(50)) for c in APPLICANTS}
    processed = {c: sum(handled[c].values()) for c in APPLICANTS}
    carried = {c: draw(st.integers(0, processed[c] + forward[c])) for c in APPLICANTS}
    t3["new_requests"] = {c: processed[c] + forward[c] - carried[c] for c in APPLICANTS}
    t3["carried_over"] = carried
    for row in OUTCOMES:
        t3[row] = {c: handled[c][row] for c in APPLICANTS}
    t3["total_processed"] = processed
    t3["carried_forward"] = forward
    t3["other_handling_total"] = {c: sum(t3[m][c] for m in T3_GROUPS["other_handling_total"][1]) for c in APPLICANTS}
    t3 = {row: {**cells, "total": sum(cells.values())} for row, cells in t3.items()}

    t2: dict[str, int | Decimal] = {}
    for rows in T2_ROWS.values():
        for row in rows:
            for column in row.columns:
                key = t2_key(row.key, column)
                if column == "items_change":
                    t2[key] = draw(st.integers(-30, 30))
                elif column.endswith("_wan_yuan"):
                    cents = draw(st.integers(0, 10**9))
                    t2[key] = Decimal(cents).scaleb(-6 if "procurement" in column else -2).normalize()
                    t2[key] = int(t2[key]) if t2[key] == t2[key].to_integral_value() else t2[key]
                elif column == "total_published":  # never below this year's newly published (the decoder relies on it)
                    t2[key] = t2[t2_key(row.key, "newly_published")] + draw(counts(5000))
                else:
                    t2[key] = draw(counts(5000))
    t4: dict[str, int] = {}
    for key in T4_KEYS:
        if not key.endswith("_total"):
            t4[key] = draw(counts(40))
    for proceeding in ("review", "litigation_direct", "litigation_after_review"):
        t4[f"t4.{proceeding}_total"] = sum(v for k, v in t4.items() if k.startswith(f"t4.{proceeding}_"))

    channels = {name: draw(counts(3000)) for name in ("website", "wechat", "weibo", "douyin")}
    text = {f"text.channel.{name}": n for name, n in channels.items()}
    text |= {
        "text.proactive_total": sum(channels.values()),
        "text.channel.new_media": channels["wechat"] + channels["weibo"] + channels["douyin"],
        "text.press_conferences": draw(counts(60)),
        "text.policy_interpretations": draw(counts(300)),
        "text.npc_suggestions": draw(counts(300)),
        "text.cppcc_proposals": draw(counts(300)),
        "text.info_fee_yuan": draw(st.sampled_from([0, 0, 20, 340])),
        "text.channel.gazette": draw(st.sampled_from([12, 24])),
    }
    return Figures(year, t3, t2, t4, text)


BODIES = bodies("small")
CELL_BLEMISHES = ["blank_zeros", "blank_totals", "dash_zeros", "cell_units", "split_table"]


@st.composite
def reports(draw: st.DrawFn, form: str):
    """A demo report in `form` with generated figures, template version, layout, body and flaws."""
    body = draw(st.sampled_from(BODIES[:12]))
    version = draw(st.sampled_from(["2019", "2021"]))
    year = draw(st.integers(2019, 2020) if version == "2019" else st.integers(2021, 2025))
    plan = copy.copy(plans(body, 1, "small")[0])
    plan.year, plan.form, plan.version, plan.error = year, form, version, None
    plan.scanned = False  # the renderer of `form` itself; scans are read by OCR and tested in tests/pipeline/readers
    plan.layout = "single_other" if version == "2019" else draw(st.sampled_from(["split_other", "single_other"]))
    flaws = [] if form == "scraped" else draw(st.lists(st.sampled_from(CELL_BLEMISHES), unique=True, max_size=2))
    plan.blemishes = {f for f in flaws if not (form == "pdf" and f == "split_table")}
    return compose(plan, draw(figures(year)), draw(st.integers(0, 10**6)))


ROUND_TRIPS = {"text": 20, "scraped": 12, "html": 20, "docx": 12, "pdf": 6}


def round_trip(report) -> None:
    record = extract_bytes(render(report), report.source)
    got = record.to_json()["values"]
    wrong = {k: (v, got.get(k, "absent")) for k, v in report.values.items() if k not in got or not same(v, got[k])}
    extra = sorted(set(got) - set(report.values))
    assert (wrong, extra) == ({}, []), (
        f"{report.plan.form} {report.plan.version}/{report.plan.layout} {sorted(report.plan.blemishes)}"
    )
    assert (record.agency, record.year, record.template_version) == (report.agency, report.plan.year, report.plan.version)
    assert record.ambiguous == {}


def _round_trip_test(form: str):
    @examples(ROUND_TRIPS[form])
    @given(report=reports(form))
    def test(report) -> None:
        assume(report.plan.form == form)
        round_trip(report)

    test.__name__ = f"test_rendered_{form}_reads_back_unchanged"
    test.__doc__ = f"Generated figures, rendered as {form}, read back to exactly the printed values."
    return test


test_rendered_text_reads_back_unchanged = _round_trip_test("text")
test_rendered_scraped_reads_back_unchanged = _round_trip_test("scraped")
test_rendered_html_reads_back_unchanged = _round_trip_test("html")
test_rendered_docx_reads_back_unchanged = _round_trip_test("docx")
test_rendered_pdf_reads_back_unchanged = _round_trip_test("pdf")
