"""Figures that behave like real ones, for every body and year.

What real reports show, and this module reproduces:
- request volumes differ by orders of magnitude between a city 自然资源 bureau and a
  街道, rise after 2019 and level off; natural persons file most requests;
- outcomes are dominated by 予以公开 and 本机关不掌握, with a body-specific mix;
- the years chain: 上年结转 of Y is 结转下年度 of Y−1, 上一年项目数量 follows
  本年增/减, 对外公开总数量 and 现行有效件数 accumulate;
- reviews and lawsuits are rare; publication moves from the website to new media.

Everything is exact and consistent here; blemishes and errors are added later, at
printing (`report.py`) and planting (`plant.py`), so the truth of a cell is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.demo.city import YEARS, Body
from pipeline.demo.draw import Draw
from pipeline.template import T3_COLUMNS, T3_GROUPS, T3_LAYOUTS, T4_OUTCOMES

APPLICANTS = T3_COLUMNS[:6]
_SPLIT_ROWS = [row.key for row in T3_LAYOUTS["split_other"]]
#: The outcome rows that are counted directly (（六） as its three sub-rows).
OUTCOMES = tuple(_SPLIT_ROWS[_SPLIT_ROWS.index("disclosed") : _SPLIT_ROWS.index("total_processed")])

REQUEST_TREND = {2019: 0.85, 2020: 1.0, 2021: 1.2, 2022: 1.15, 2023: 1.1, 2024: 1.05, 2025: 1.0}
APPLICANT_MIX = {
    "natural_person": 0.86, "org_commercial": 0.07, "org_research": 0.004,
    "org_public_welfare": 0.004, "org_legal_service": 0.04, "org_other": 0.02,
}  # fmt: skip
OUTCOME_MIX = {
    "disclosed": 0.36, "partially_disclosed": 0.06,
    "withheld_state_secret": 0.003, "withheld_prohibited_by_law": 0.005, "withheld_security_stability": 0.003,
    "withheld_third_party_rights": 0.02, "withheld_internal_affairs": 0.01, "withheld_process_info": 0.015,
    "withheld_enforcement_file": 0.008, "withheld_admin_query": 0.02,
    "unavailable_not_held": 0.26, "unavailable_needs_creation": 0.04, "unavailable_unclear_after_correction": 0.03,
    "not_processed_petition_complaint": 0.04, "not_processed_duplicate": 0.03, "not_processed_publication": 0.005,
    "not_processed_excessive": 0.01, "not_processed_confirm_reissue": 0.01,
    "other_no_correction": 0.05, "other_fee_unpaid": 0.004, "other_misc": 0.04,
}  # fmt: skip
T4_MIX = {"upheld": 0.6, "corrected": 0.1, "other": 0.2, "pending": 0.1}
#: Share of requests still open at the year's end.
CARRY_SHARE = 0.04
#: Reviews and lawsuits per new request.
REVIEW_RATE = {"review": 0.03, "litigation_direct": 0.01, "litigation_after_review": 0.005}


@dataclass
class Figures:
    """One body's true figures for one year, under canonical keys where they are cells."""

    year: int
    t3: dict[str, dict[str, int]]
    t2: dict[str, int | Decimal] = field(default_factory=dict)
    t4: dict[str, int] = field(default_factory=dict)
    text: dict[str, int] = field(default_factory=dict)


def series(body: Body, seed: int) -> dict[int, Figures]:
    """Every year's figures of one body, chained year to year."""
    requests = _t3_series(body, seed)
    documents = _t2_series(body, seed)
    out: dict[int, Figures] = {}
    for year in YEARS:
        figures = Figures(year, requests[year], documents[year])
        figures.t4 = _t4(Draw(seed, "t4", body.name, year), figures.t3["new_requests"]["total"])
        figures.text = _text(Draw(seed, "text", body.name, year), body, year, figures.t3)
        out[year] = figures
    return out


# ---------------------------------------------------------------- Table 三


def _mix(draw: Draw, base: dict[str, float], spread: float) -> dict[str, float]:
    """A body's own version of a typical mix."""
    return {key: draw.scatter(weight, spread) for key, weight in base.items()}


def _t3_series(body: Body, seed: int) -> dict[int, dict[str, dict[str, int]]]:
    """Table 三 of every year; each year's 上年结转 is the year before's 结转下年度."""
    character = Draw(seed, "t3-character", body.name)
    applicants = _mix(character, APPLICANT_MIX, 0.5)
    if body.kind == "township":
        applicants["natural_person"] *= 4
    outcomes = _mix(character, OUTCOME_MIX, 0.6)
    level = character.scatter(body.profile.requests, 0.5)
    start = Draw(seed, "t3-start", body.name)
    carried = start.split(start.poisson(level * CARRY_SHARE), applicants)
    out = {}
    for year in YEARS:
        draw = Draw(seed, "t3", body.name, year)
        new = draw.split(draw.poisson(draw.scatter(level * REQUEST_TREND[year], 0.25)), applicants)
        year_outcomes = dict(outcomes, other_fee_unpaid=outcomes["other_fee_unpaid"] if year >= 2021 else 0.0)
        table = _t3_year(draw, new, carried, year_outcomes)
        out[year] = table
        carried = {c: table["carried_forward"][c] for c in APPLICANTS}
    return out


def _t3_year(draw: Draw, new: dict[str, int], carried: dict[str, int], outcomes: dict[str, float]) -> dict[str, dict[str, int]]:
    """One year's table from what arrived and what was carried in."""
    forward = {c: draw.binomial(new[c] + carried[c], CARRY_SHARE) for c in APPLICANTS}
    handled = {c: draw.split(new[c] + carried[c] - forward[c], outcomes) for c in APPLICANTS}
    rows: dict[str, dict[str, int]] = {"new_requests": new, "carried_over": carried}
    for key in OUTCOMES:
        rows[key] = {c: handled[c][key] for c in APPLICANTS}
    rows["total_processed"] = {c: new[c] + carried[c] - forward[c] for c in APPLICANTS}
    rows["carried_forward"] = forward
    members = T3_GROUPS["other_handling_total"][1]
    rows["other_handling_total"] = {c: sum(rows[m][c] for m in members) for c in APPLICANTS}
    return {key: {**cells, "total": sum(cells[c] for c in APPLICANTS)} for key, cells in rows.items()}


# ---------------------------------------------------------------- Table 二


@dataclass
class _Stock:
    """A count that carries over from year to year (documents in force, items on a list)."""

    level: int

    def step(self, added: int, removed: int) -> int:
        """Next year's level (never below zero)."""
        self.level = max(0, self.level + added - removed)
        return self.level


def _t2_series(body: Body, seed: int) -> dict[int, dict[str, int | Decimal]]:
    """Table 二 of every year, under the keys of both template versions."""
    p = body.profile
    start = Draw(seed, "t2-start", body.name)
    docs = {"regulations": (2.0 if p.rulemaking else 0.0), "normative_documents": p.documents}
    in_force = {row: _Stock(round(rate * 6) + start.poisson(rate)) for row, rate in docs.items()}
    published = {row: _Stock(round(rate * 9) + start.poisson(rate * 2)) for row, rate in docs.items()}
    items = {row: _Stock(round(p.enforcement * size) + start.poisson(p.enforcement)) for row, (size, _) in _ITEMS.items()}
    items["admin_fees"] = _Stock(start.poisson(p.fees / 40) if p.fees else 0)
    out = {}
    for year in YEARS:
        draw = Draw(seed, "t2", body.name, year)
        values: dict[str, int | Decimal] = {}
        for row, rate in docs.items():
            values.update(_documents(draw, row, rate, in_force[row], published[row]))
        for row, stock in items.items():
            values.update(_items(draw, row, stock, p.enforcement * _ITEMS.get(row, (0, 0))[1]))
        values["t2.admin_fees.fee_amount_wan_yuan"] = _amount(draw, p.fees, places=2)
        projects = draw.poisson(p.procurement / 80)
        values["t2.central_procurement.procurement_projects"] = projects
        values["t2.central_procurement.procurement_amount_wan_yuan"] = _amount(draw, p.procurement, places=6) if projects else 0
        out[year] = values
    return out


#: Item rows: (items on the list per unit of enforcement, decisions per unit of enforcement).
_ITEMS = {
    "admin_licensing": (25, 180),
    "other_external_services": (8, 60),
    "admin_penalty": (120, 90),
    "admin_coercion": (6, 6),
}


def _documents(draw: Draw, row: str, rate: float, in_force: _Stock, published: _Stock) -> dict[str, int]:
    """A document row in both versions: made / published / total, and issued / repealed / in force."""
    issued = draw.poisson(rate)
    repealed = min(in_force.level, draw.poisson(rate * 0.35))
    newly_published = issued - (1 if issued > 3 and draw.chance(0.15) else 0)
    return {
        f"t2.{row}.newly_made": issued,
        f"t2.{row}.newly_published": newly_published,
        f"t2.{row}.total_published": published.step(newly_published, 0),
        f"t2.{row}.issued": issued,
        f"t2.{row}.repealed": repealed,
        f"t2.{row}.in_force": in_force.step(issued, repealed),
    }


def _items(draw: Draw, row: str, stock: _Stock, decisions: float) -> dict[str, int]:
    """An item row: last year's list, this year's change (which sets next year's list), decisions."""
    prior = stock.level
    change = 0
    if prior and draw.chance(0.4):
        change = draw.poisson(max(1.0, prior * 0.05)) * (1 if draw.chance(0.55) else -1)
    stock.step(change, 0)
    values = {f"t2.{row}.prior_year_items": prior, f"t2.{row}.items_change": stock.level - prior}
    if row != "admin_fees":
        values[f"t2.{row}.decisions"] = draw.poisson(draw.scatter(decisions, 0.4)) if decisions else 0
    return values


def _amount(draw: Draw, mean: float, places: int) -> Decimal | int:
    """An amount in 万元 as agencies print it: to the cent (in 元) or to two decimals (in 万元)."""
    if mean <= 0:
        return 0
    yuan = Decimal(round(draw.scatter(mean, 0.5) * 10000 * 100)) / 100
    amount = (yuan / 10000).quantize(Decimal(1).scaleb(-places)).normalize()
    return int(amount) if amount == amount.to_integral_value() else amount


# ---------------------------------------------------------------- Table 四 and text figures


def _t4(draw: Draw, new_requests: int) -> dict[str, int]:
    """Reviews and lawsuits: rare, in proportion to requests."""
    out: dict[str, int] = {}
    outcomes = [o for o in T4_OUTCOMES if o != "total"]
    for proceeding, rate in REVIEW_RATE.items():
        counts = draw.split(draw.poisson(new_requests * rate), T4_MIX)
        out.update({f"t4.{proceeding}_{o}": counts[o] for o in outcomes})
        out[f"t4.{proceeding}_total"] = sum(counts.values())
    return out


def _text(draw: Draw, body: Body, year: int, t3: dict[str, dict[str, int]]) -> dict[str, int]:
    """Every figure the body could state in its text; `prose` decides which it states."""
    p = body.profile
    step = year - 2019
    total = round(draw.scatter(p.proactive * (1 + 0.04 * step), 0.3))
    website = min(0.9, max(0.15, draw.scatter(0.62 - 0.045 * step, 0.1)))
    weibo = max(0.02, draw.scatter(0.18 - 0.015 * step, 0.2))
    douyin = 0.0 if year < 2021 else draw.scatter(0.04 * (year - 2020), 0.3)
    counts = {"website": round(total * website), "weibo": round(total * weibo), "douyin": round(total * douyin)}
    counts["wechat"] = max(0, total - sum(counts.values()))
    governments = {"city": 1.0, "district": 0.4, "township": 0.05}[body.level] * (1.0 if body.kind != "department" else 0.15)
    figures = {
        "text.proactive_total": sum(counts.values()),
        **{f"text.channel.{name}": n for name, n in counts.items()},
        "text.channel.new_media": counts["wechat"] + counts["weibo"] + counts["douyin"],
        "text.press_conferences": draw.poisson(14 * governments),
        "text.policy_interpretations": draw.poisson(max(1.0, 60 * governments + p.documents * 0.8)),
        "text.npc_suggestions": draw.poisson(80 * governments + 2),
        "text.cppcc_proposals": draw.poisson(100 * governments + 3),
        "text.info_fee_yuan": 0,
    }
    if body.level == "city" and body.kind == "government":
        figures["text.channel.gazette"] = draw.pick((12, 12, 24))
    if year >= 2021 and t3["new_requests"]["total"] > 20 and draw.chance(0.12):
        figures["text.info_fee_yuan"] = draw.between(1, 40) * 20
    return figures
