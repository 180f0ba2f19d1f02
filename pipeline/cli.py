"""`python -m pipeline extract`: one report's record, as JSON or as a readable summary; and
the exit statuses every command shares.

The file is read in a parse worker (pipeline.pool), under the same time and memory limits
as an ingest's (`XXGK_PARSE_SECONDS`, `XXGK_WORKER_MEMORY_MB`), so a huge or hostile file
ends with one line naming the limit instead of running for minutes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import limits
from pipeline.errors import ReportError
from pipeline.pool import run_pool

if TYPE_CHECKING:
    from pipeline.record import Record

#: Exit statuses of `python -m pipeline` (README, "Exit statuses").
EXIT_OK = 0
EXIT_NOTHING_INGESTED = 1
EXIT_BAD_INPUT = 2
EXIT_DAMAGED = 3
EXIT_LOCKED = 4


def extract_command(path: str, as_json: bool) -> int:
    """Print the record of one file."""
    record = extract_in_worker(path)
    if as_json:
        print(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
    else:
        print(summary(record))
    return EXIT_OK


def extract_in_worker(path: str) -> Record:
    """The record of one file, read in a parse worker; ReportError for a file that fails or
    exceeds a worker limit."""
    (result,) = run_pool(
        _extract, [path], workers=1, progress=False, desc="extract", failed=lambda task, reason: (Path(task).name, reason)
    )
    if isinstance(result, tuple):
        raise ReportError(*result)
    return result


def _extract(path: str) -> Record | tuple[str, str]:
    """Worker: a record, or the (file, reason) it failed with (exceptions do not cross processes whole).
    The extractor is imported here, in the worker, so the command's own process stays light."""
    from pipeline.extract import extract_path

    try:
        return extract_path(path)
    except ReportError as exc:
        return exc.source, exc.reason
    except MemoryError:  # the worker's allowance, not a bug
        return Path(path).name, limits.memory_limit_reason()
    except Exception as exc:  # an extractor bug: one line, like any other failure
        return Path(path).name, f"extractor failed: {type(exc).__name__}: {exc}"


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
        "正文数字 text:      "
        + (", ".join(f"{k[5:]}={record.values[k].value}" for k in record.values if k.startswith("text.")) or "—"),
        f"待定 ambiguous:     {len(record.ambiguous)}",
        f"不一致 failed rules: {len(failed)}",
    ]
    lines += [f"  - {f.rule}: {f.message_zh} / {f.message_en}" for f in failed]
    return "\n".join(lines)
