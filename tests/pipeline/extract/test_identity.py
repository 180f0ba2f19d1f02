"""Agency and year from the three title shapes real reports use."""

from __future__ import annotations

import pytest

from pipeline.document import Document, Paragraph
from pipeline.extract.identity import identify
from pipeline.record import Record


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        (["威海市环翠区孙家疃街道", "2020年政府信息公开工作年度报告"], "威海市环翠区孙家疃街道", 2020),
        (["标题: 平潭综合实验区2019年度政府信息公开工作年度报告"], "平潭综合实验区", 2019),
        (["2019年上海市人民政府办公厅政府信息公开工作年度报告"], "上海市人民政府办公厅", 2019),
        (["正文", "2024 年上海市科委政府信息公开工作", "年度报告"], "上海市科委", 2024),
        (["云岫市人民政府", "关于2022年度政府信息公开工作年度报告"], "云岫市人民政府", 2022),
        (["云岫市望江区教育局", "2023年度", "政府信息公开工作年度报告"], "云岫市望江区教育局", 2023),
        (["云岫市财政局政府信息公开工作年度报告（2021年度）"], "云岫市财政局", 2021),
        (["关于开展工作的通知", "本报告统计期限自2021年1月1日起至2021年12月31日止。"], None, 2021),
    ],
)
def test_title_shapes(lines, agency, year):
    record = Record(source="x", format="text")
    identify(Document("x", "text", [Paragraph(line) for line in lines]), record)
    assert (record.agency, record.year) == (agency, year)
