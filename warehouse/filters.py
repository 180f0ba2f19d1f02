"""The global filter frame (place, kinds of body, years, chosen bodies) and its SQL predicate.

The predicate is built for a given table alias from the same bound parameters
(`Filters.params`), so one filter can test the selection's rows and the region
reports standing in for them alike; it tests only the filters that are set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from warehouse.sql import alias as checked_alias


@dataclass(frozen=True)
class Filters:
    """The global filter frame: a place, kinds of body, a year range and chosen bodies."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    kinds: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    agencies: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        """How deep the place filter goes: 0 none, 1 province, 2 city, 3 county."""
        return 3 if self.county else 2 if self.city else 1 if self.province else 0

    def without_agencies(self) -> Filters:
        return replace(self, agencies=())

    def within(self, first: int, last: int) -> Filters:
        """The same selection over only the years it shares with [first, last]: a figure of those years
        is the same either way (a region report stands in for its bodies in its own year), and the
        query reads a fraction of the rows."""
        low, high = self.years or (first, last)
        return replace(self, years=(max(low, first), min(high, last)))

    def params(self) -> dict[str, object]:
        """The bound parameters of the filters that are set: those `selection` tests."""
        values = {"province": self.province, "city": self.city, "county": self.county,
                  "kinds": list(self.kinds) or None, "agencies": list(self.agencies) or None}  # fmt: skip
        params = {name: value for name, value in values.items() if value is not None}
        if self.years:
            params |= {"year_from": self.years[0], "year_to": self.years[1]}
        return params

    def slug(self) -> str:
        """A short description for file names: 地区_类型_年份."""
        place = "-".join(p for p in (self.province, self.city, self.county) if p) or "全部地区"
        years = f"{self.years[0]}-{self.years[1]}" if self.years else "全部年度"
        parts = [place, years]
        if self.kinds:
            parts.append("+".join(self.kinds))
        if self.agencies:
            parts.append(f"{len(self.agencies)}个单位")
        return "_".join(parts)


#: Each filter's test on the columns of table `{a}`, by the parameter it binds.
TESTS = {
    "province": "{a}.province = $province",
    "city": "{a}.city = $city",
    "county": "{a}.county = $county",
    "kinds": "list_contains($kinds::VARCHAR[], {a}.kind)",
    "year_from": "{a}.year BETWEEN $year_from AND $year_to",
    "agencies": "list_contains($agencies::VARCHAR[], {a}.agency_id)",
}


def selection(filters: Filters, alias: str = "i") -> str:
    """The filter frame as a predicate on the place, kind, year and body columns of table `alias`.

    Only the filters that are set are tested (over `filters.params()`): a test of an unset one
    (`$city IS NULL OR …`) would still be evaluated on every row of every query.
    """
    a = checked_alias(alias)
    return " AND ".join(TESTS[name].format(a=a) for name in filters.params() if name in TESTS) or "TRUE"
