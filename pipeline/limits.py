"""Resource limits: every bound the pipeline puts on one input, in one place.

Reports are small (a text report is ~20 KB, a PDF 5–20 pages, a Word file's main XML
part well under 1 MB), so each limit sits one to two orders of magnitude above the
largest real report and far below what would exhaust a machine. A file over a limit
is refused with a `ReportError` whose reason names the limit (English / 中文); in an
ingest it goes to quarantine with that reason and the batch goes on.

The readers import their limits from here; the structural caps that only stop
pathological markup stay beside the code they guard (`readers.html.MAX_COLSPAN`,
`MAX_GRID_POSITIONS`, `readers.pdf.MAX_GRAPHICS_PER_PAGE`, `extract.digits.MAX_CANDIDATES`,
`extract.arithmetic.MAX_COMBINATIONS`).

Two limits are the parse workers' (`pipeline.pool.run_pool`, used by ingest and by
`python -m pipeline extract`), not the readers': a
file that takes longer than PARSE_SECONDS has its worker process killed, and a worker
may not grow beyond WORKER_MEMORY_BYTES. Both can be set from the environment
(`XXGK_PARSE_SECONDS`, `XXGK_WORKER_MEMORY_MB`) for unusually large reports or slow
machines.
"""

from __future__ import annotations

import os
import resource
import signal

MiB = 2**20

# ---------------------------------------------------------------- every file

#: Largest file read at all, in any form (readers.read_bytes).
MAX_FILE_BYTES = 50 * MiB
#: Most lines in a text form (plain, scraped, markdown); a real one has under 2,000.
MAX_TEXT_LINES = 100_000
#: Most table cells ('|') in a markdown file; a real one has under 2,000.
MAX_MARKDOWN_CELLS = 200_000

# ---------------------------------------------------------------- per form

#: Largest HTML page (readers.html).
MAX_HTML_BYTES = 20 * MiB
#: Most tags ('<') in an HTML page, checked before it is parsed; a report page has ~5,000.
MAX_HTML_TAGS = 200_000
#: Most pages in a PDF (readers.pdf).
MAX_PAGES = 200
#: Largest total decompressed size of a Word package, images included (readers.docx): zip bombs.
MAX_UNCOMPRESSED_BYTES = 200 * MiB
#: Largest single XML part of a Word package, decompressed (a report's document.xml is well
#: under 1 MB): a 350 KB zip whose document.xml held 2 M table cells took 145 s and 2.8 GB.
MAX_DOCX_PART_BYTES = 10 * MiB

# ---------------------------------------------------------------- ingest workers

#: Wall-clock seconds one file may take to read and extract in an ingest worker.
PARSE_SECONDS = float(os.environ.get("XXGK_PARSE_SECONDS", "120"))
#: Data-segment limit of one ingest worker process (RLIMIT_DATA); 0 disables it.
WORKER_MEMORY_BYTES = int(float(os.environ.get("XXGK_WORKER_MEMORY_MB", "2048")) * MiB)

def cap_memory(memory: int = WORKER_MEMORY_BYTES) -> None:
    """Cap this worker process's data segment at `memory` bytes (0: left as it is), within the hard limit,
    so a file that needs more fails inside it with MemoryError (pool workers and Ray tasks alike)."""
    if memory:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        resource.setrlimit(resource.RLIMIT_DATA, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))


# ---------------------------------------------------------------- uploads

#: Largest file accepted from the dashboard's upload page (pipeline.uploads).
MAX_UPLOAD_BYTES = 20 * MiB

# ---------------------------------------------------------------- the reasons given

TIME_LIMIT_REASON = "parse time limit exceeded / 解析超时"
MEMORY_LIMIT_REASON = "memory limit exceeded / 内存超限"
WORKER_DIED_REASON = "parser process died / 解析进程异常退出"


def time_limit_reason(seconds: float = PARSE_SECONDS) -> str:
    """The quarantine reason of a file whose parse was abandoned."""
    return f"{TIME_LIMIT_REASON} ({seconds:g} s)"


def memory_limit_reason(limit: int = WORKER_MEMORY_BYTES) -> str:
    """The reason given where reading a file exhausted the worker's memory allowance."""
    return f"{MEMORY_LIMIT_REASON} ({limit // MiB} MiB)" if limit else MEMORY_LIMIT_REASON


def worker_died_reason(exitcode: int | None) -> str:
    """The reason given where a worker process died: its exit status, or the signal that ended it.

    A native library that cannot allocate aborts the process (SIGABRT) instead of raising
    MemoryError — PDFium does so when a stream inflates past the worker's memory limit.
    """
    if exitcode is None or exitcode >= 0:
        return f"{WORKER_DIED_REASON} (exit {exitcode})"
    name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else f"signal {-exitcode}"
    hint = ", often the memory limit in a native library / 多因内存超限" if name == "SIGABRT" else ""
    return f"{WORKER_DIED_REASON} ({name}{hint})"
