"""`python -m pipeline extract`: one report's record, as JSON or as a readable summary."""

from __future__ import annotations

import json

from pipeline.extract import extract_path
from pipeline.record import Record


def extract_command(path: str, as_json: bool) -> int:
    """Print the record of one file."""
    record = extract_path(path)
    if as_json:
        print(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
    else:
        print(summary(record))
    return 0


def summary(record: Record) -> str:
    """A few lines a person can read: who, when, which format, what was found, what failed."""
    counts = {prefix: sum(1 for k in record.values if k.startswith(prefix)) for prefix in ("t2.", "t3.", "t4.", "text.")}
    failed = [f for f in record.findings if f.outcome == "fail"]
    lines = [
        f"文件 source:        {record.source} ({record.format})",
        f"单位 agency:        {record.agency or '未识别 unknown'}",
        f"年度 year:          {record.year or '未识别 unknown'}",
        f"模板 template:      {record.template_version} ({', '.join(record.template_evidence)})",
        f"表二/三/四 cells:   {counts['t2.']} / {counts['t3.']} / {counts['t4.']}",
        f"正文数字 text:      " + (", ".join(f"{k[5:]}={record.values[k].value}" for k in record.values if k.startswith("text.")) or "—"),
        f"待定 ambiguous:     {len(record.ambiguous)}",
        f"不一致 failed rules: {len(failed)}",
    ]
    lines += [f"  - {f.rule}: {f.message_zh} / {f.message_en}" for f in failed]
    return "\n".join(lines)
