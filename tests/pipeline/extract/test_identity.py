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
        (["云岫市测试局2022年政府信息公开年报"], "云岫市测试局", 2022),
        (["云岫市测试局政府信息公开工作2022年度报告"], "云岫市测试局", 2022),
        (["云岫市测试局二〇二二年政府信息公开工作年度报告"], "云岫市测试局", 2022),
        (["【云岫市测试局】2022年政府信息公开工作年度报告"], "云岫市测试局", 2022),
        (["云岫市测试局2022年度政府信息公开工作情况报告"], "云岫市测试局", 2022),
        (["云岫市测试局关于2022年度政府信息公开工作的报告"], "云岫市测试局", 2022),
        (["云岫市测试局2022年政府信息公开年度工作报告"], "云岫市测试局", 2022),
        (["云岫市测试局2022年度政府信息主动公开工作年度报告"], "云岫市测试局", 2022),
        (["云岫市测试局2022年度政务信息公开工作年度报告"], "云岫市测试局", 2022),  # not a body named 政务
        # a notice issuing the report: the body is the report's, not the office's that issues it
        (["云岫市人民政府办公室关于印发云岫市测试局2022年政府信息公开工作年度报告的通知"], "云岫市测试局", 2022),
        (["关于开展工作的通知", "统计期限为二〇二一年一月一日至十二月三十一日。"], None, 2021),
    ],
)
def test_title_shapes(lines, agency, year):
    record = Record(source="x", format="text")
    identify(Document("x", "text", [Paragraph(line) for line in lines]), record)
    assert (record.agency, record.year) == (agency, year)


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        (["当前位置：首页 > 政府信息公开 > 政府信息公开年报", "【字体：大 中 小】 打印本页 分享到：",
          "云岫市鹤汀区孙家镇", "2020", "年政府信息公开工作年度报告"], "云岫市鹤汀区孙家镇", 2020),
        (["当前位置:首页>政府信息公开>公开年报", "云岫市卫生健康局2023年政府信息公开工作年度报告"], "云岫市卫生健康局", 2023),
        (["返回顶部云岫市交通运输局", "2023年政府信息公开工作年度报告"], "云岫市交通运输局", 2023),
        (["网站标识码：1234567890", "云岫市教育局2023年政府信息公开工作年度报告", "云ICP备12345678号"], "云岫市教育局", 2023),
        (["云岫市鹤汀区", "卫生健康局2023年政府信息公开", "工作年度报告"], "云岫市鹤汀区卫生健康局", 2023),
        # glued to its breadcrumb, the last step cannot be told from the name: the year only
        (["当前位置:首页>政府信息公开>公开年报云岫市卫生健康局2023年政府信息公开工作年度报告"], None, 2023),
        # a whole sentence is never an agency
        (["现将我局2023年政府信息公开工作年度报告如下"], None, 2023),
        (["分享到：", ">"], None, None),
    ],
)
def test_site_chrome_never_reaches_the_agency(lines, agency, year):
    record = Record(source="x", format="text")
    identify(Document("x", "text", [Paragraph(line) for line in lines]), record)
    assert (record.agency, record.year) == (agency, year)


@pytest.mark.parametrize(
    ("lines", "year"),
    [
        (["政务公开", "我镇2023年政府信息公开工作在县委县政府领导下稳步推进。"], 2023),
        (["一、总体情况", "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。"], 2022),
    ],
)
def test_year_stated_only_in_the_body(lines, year):
    record = Record(source="x", format="text")
    assert identify(Document("x", "text", [Paragraph(line) for line in lines]), record) is False
    assert (record.agency, record.year) == (None, year)


def test_a_site_column_before_the_title_is_not_part_of_the_name():
    record = Record(source="x", format="text")
    lines = ["通知公告", "卫生健康局2023年政府信息公开工作年度报告"]
    identify(Document("x", "text", [Paragraph(line) for line in lines]), record)
    assert (record.agency, record.year) == ("卫生健康局", 2023)


@pytest.mark.parametrize(
    ("lines", "agency"),
    [
        (["2023年政府信息公开工作年度报告", "一、总体情况", "本年度工作稳步推进。",
          "云岫市鹤汀区孙家镇人民政府", "2024年1月20日"],
         "云岫市鹤汀区孙家镇人民政府"),
        (["标题: 2023年政府信息公开工作年度报告", "发布机构: 云岫市鹤汀区孙家镇人民政府", "正文"], "云岫市鹤汀区孙家镇人民政府"),
        (["2023年政府信息公开工作年度报告", "特此报告。2024年1月20日"], None),
    ],
)
def test_a_title_without_its_body_takes_the_publisher_or_the_signature(lines, agency):
    record = Record(source="x", format="text")
    identify(Document("x", "text", [Paragraph(line) for line in lines]), record)
    assert (record.agency, record.year) == (agency, 2023)


def test_a_later_line_about_another_year_does_not_name_the_body():
    record = Record(source="x", format="text")
    lines = ["2023年政府信息公开工作年度报告", "现依据云岫市财政局2022年政府信息公开工作年度报告的格式编制。"]
    identify(Document("x", "text", [Paragraph(line) for line in lines]), record)
    assert (record.agency, record.year) == (None, 2023)
