"""The fictional province of the demo: its cities, their districts and counties, and their bodies.

The world is shaped like a supervisor's: one province (the dashboard shows it as
演示数据（虚构地区）) with at least two cities, each with a government, departments and
several districts or counties, each of those with a government, departments and towns
(街道 / 镇), so every level of the drill-down has something to compare.

A body's `Profile` sets the scale of everything it reports, so a city 自然资源 bureau
gets hundreds of requests a year and a 街道 a handful, as in real reports. Every
name is made up: the city and district names are checked against China's real
county-level divisions in the tests, and every report carries the synthetic marker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

YEARS = tuple(range(2019, 2026))

#: Fictional city names (no real division has them; see tests/pipeline/demo/test_city.py).
CITY_NAMES = ("云岫市", "岚溪市", "蘅皋市", "鸥汀市", "芸川市", "苇川市", "星渚市", "霁月市")
#: Fictional district names; city c takes names c·MAX_DISTRICTS onwards, so a larger scale keeps a
#: smaller one's districts. Every third district of a city is a county (县) of the same stem.
DISTRICT_NAMES = (
    "鹤汀区", "青石区", "澄波区", "临溪区", "松岚区", "雁回区", "桐荫区", "云湄区",
    "鹿鸣区", "玉涧区", "芷汀区", "岫云区", "杉湾区", "菱溪区", "蓼汀区", "荻洲区",
    "漱石区", "沁园区", "梧冈区", "碧渚区", "岫山区", "苔溪区", "兰汀区", "萍洲区",
    "棠溪区", "枫汀区", "砚池区", "苕岭区", "蒹葭区", "竹屿区", "霞汀区", "榆湾区",
    "柳汀区", "苹洲区", "芦汀区", "茗溪区", "橘洲区", "莼湖区", "蕙川区", "芝岭区",
    "荇溪区", "萱汀区", "芙屿区", "蘋川区", "茭湾区", "蒲汀区", "菖溪区", "荷屿区",
)  # fmt: skip
#: Two-character stems of township names; a district's towns take consecutive stems from
#: a fixed offset, so a larger scale keeps the towns of a smaller one.
TOWN_STEMS = (
    "漱玉", "听松", "拾翠", "浣纱", "揽月", "栖云", "枕流", "观澜", "问渠", "濯缨",
    "洗砚", "采薇", "鸣琴", "抱朴", "含章", "凝碧", "叠翠", "流霞", "映雪", "凌波",
    "浮岚", "卧云", "眠鸥", "宿雁", "饮泉", "闻莺", "踏歌", "寻梅", "咏絮", "弄潮",
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """Yearly scale of a body's business; every figure is a mean that the years scatter around."""

    requests: float  # new disclosure requests
    enforcement: float  # licensing and penalty decisions, in hundreds
    documents: float  # normative documents issued
    procurement: float  # central procurement, 万元
    fees: float  # administrative fees collected, 万元
    proactive: float  # items proactively published
    rulemaking: bool = False  # issues 规章 (only a city government does)


@dataclass(frozen=True)
class Body:
    """One reporting body: its name as printed, how it calls itself, where it sits."""

    name: str
    self_ref: str
    level: str  # city | district | township
    kind: str  # government | department | township
    city: str
    district: str | None
    profile: Profile


#: City-level departments: name, self reference, then Profile fields (requests … proactive).
DEPARTMENTS: tuple[tuple[str, str, Profile], ...] = (
    ("自然资源和规划局", "我局", Profile(260, 4, 6, 800, 3000, 900)),
    ("住房和城乡建设局", "我局", Profile(120, 3, 5, 600, 120, 800)),
    ("公安局", "我局", Profile(80, 9, 3, 3000, 200, 1500)),
    ("人力资源和社会保障局", "我局", Profile(60, 2, 5, 500, 20, 1100)),
    ("市场监督管理局", "我局", Profile(55, 12, 3, 500, 80, 1300)),
    ("教育局", "我局", Profile(25, 0.5, 5, 2000, 50, 900)),
    ("卫生健康委员会", "我委", Profile(35, 3, 3, 1500, 60, 1000)),
    ("交通运输局", "我局", Profile(30, 5, 3, 900, 300, 700)),
    ("城市管理局", "我局", Profile(40, 7, 2, 800, 150, 600)),
    ("生态环境局", "我局", Profile(40, 2, 3, 400, 10, 700)),
    ("发展和改革委员会", "我委", Profile(20, 0.6, 4, 300, 0, 600)),
    ("财政局", "我局", Profile(28, 0.2, 6, 300, 0, 800)),
    ("民政局", "我局", Profile(14, 0.4, 3, 400, 0, 500)),
    ("农业农村局", "我局", Profile(18, 2, 3, 500, 5, 600)),
    ("水利局", "我局", Profile(12, 1, 2, 700, 30, 400)),
    ("应急管理局", "我局", Profile(14, 2, 2, 200, 0, 500)),
    ("行政审批服务局", "我局", Profile(30, 14, 1, 150, 0, 700)),
    ("司法局", "我局", Profile(10, 0.3, 2, 200, 0, 400)),
    ("文化广电旅游局", "我局", Profile(8, 1, 2, 300, 5, 600)),
    ("医疗保障局", "我局", Profile(15, 0.6, 2, 200, 0, 400)),
    ("商务局", "我局", Profile(8, 0.5, 2, 150, 0, 400)),
    ("退役军人事务局", "我局", Profile(6, 0.1, 1, 100, 0, 300)),
    ("统计局", "我局", Profile(5, 0.2, 1, 80, 0, 300)),
    ("审计局", "我局", Profile(5, 0.1, 1, 60, 0, 200)),
    ("林业局", "我局", Profile(6, 1, 1, 200, 10, 300)),
    ("体育局", "我局", Profile(3, 0.2, 1, 150, 0, 200)),
    ("人民防空办公室", "我办", Profile(4, 0.3, 1, 100, 40, 200)),
    ("信访局", "我局", Profile(6, 0.0, 1, 60, 0, 200)),
    ("国有资产监督管理委员会", "我委", Profile(5, 0.0, 2, 80, 0, 300)),
    ("数据资源管理局", "我局", Profile(4, 0.0, 1, 900, 0, 300)),
)

CITY_GOVERNMENT = Profile(320, 0.5, 22, 1200, 0, 5200, rulemaking=True)
#: A district or county government's own office (its report covers the office, not the region).
DISTRICT_GOVERNMENT = Profile(70, 0.8, 10, 600, 0, 2600)
#: District departments see about this share of their city counterparts' business.
DISTRICT_SHARE = 0.3
SUBDISTRICT = Profile(2.5, 0.1, 0.4, 60, 0, 380)
TOWN = Profile(4, 0.3, 0.6, 90, 0, 320)
#: Towns on the urban fringe, where land requisition brings many more requests.
FRINGE_TOWN = Profile(22, 0.4, 0.8, 120, 0, 360)


@dataclass(frozen=True)
class Scale:
    """How big the generated world is."""

    cities: int
    city_departments: int
    districts: int
    district_departments: int
    towns: int


MAX_TOWNS = 8
MAX_DISTRICTS = 8
SCALES: dict[str, Scale] = {
    "tiny": Scale(cities=1, city_departments=2, districts=1, district_departments=1, towns=2),  # for tests
    "small": Scale(cities=2, city_departments=6, districts=3, district_departments=4, towns=4),
    "medium": Scale(cities=2, city_departments=12, districts=4, district_departments=8, towns=6),
    "large": Scale(cities=6, city_departments=30, districts=8, district_departments=20, towns=8),
}


def bodies(scale: str) -> list[Body]:
    """Every body of the demo world at one scale, cities first, in a stable order."""
    size = SCALES[scale]
    out: list[Body] = []
    for c, city in enumerate(CITY_NAMES[: size.cities]):
        out += _city_bodies(city, size)
        districts = DISTRICT_NAMES[c * MAX_DISTRICTS : c * MAX_DISTRICTS + size.districts]
        for d, district in enumerate(districts):
            district = district[:-1] + "县" if d % 3 == 2 else district
            out += _district_bodies(city, district, d, size)
    return out


def _city_bodies(city: str, size: Scale) -> list[Body]:
    """The city government and its departments."""
    out = [Body(f"{city}人民政府", "市政府", "city", "government", city, None, CITY_GOVERNMENT)]
    for name, self_ref, profile in DEPARTMENTS[: size.city_departments]:
        out.append(Body(f"{city}{name}", self_ref, "city", "department", city, None, profile))
    return out


def _district_bodies(city: str, district: str, index: int, size: Scale) -> list[Body]:
    """A district government, its departments and its 街道 / 镇."""
    prefix = f"{city}{district}"
    out = [Body(f"{prefix}人民政府", f"我{district[-1]}", "district", "government", city, district, DISTRICT_GOVERNMENT)]
    for name, self_ref, profile in DEPARTMENTS[: size.district_departments]:
        scaled = replace(
            profile,
            requests=profile.requests * DISTRICT_SHARE,
            enforcement=profile.enforcement * DISTRICT_SHARE,
            documents=profile.documents * DISTRICT_SHARE,
            procurement=profile.procurement * DISTRICT_SHARE,
            fees=profile.fees * DISTRICT_SHARE,
            proactive=profile.proactive * 0.5,
        )
        out.append(Body(f"{prefix}{name}", self_ref, "district", "department", city, district, scaled))
    for t in range(size.towns):
        stem = TOWN_STEMS[(index * MAX_TOWNS + t) % len(TOWN_STEMS)]
        if t % 2 == 0:
            out.append(Body(f"{prefix}{stem}街道办事处", "我街道", "township", "township", city, district, SUBDISTRICT))
        else:
            profile = FRINGE_TOWN if t == 1 else TOWN
            out.append(Body(f"{prefix}{stem}镇人民政府", "我镇", "township", "township", city, district, profile))
    return out
