"""Hardening figures: bad inputs and their outcomes, peak memory on the worst input, queries
served during a concurrent ingest, ingests killed and survived.

1. Every bad input of the hardening suite (`tests/hardening/badinputs.py`), plus a few inputs
   that are legal but as heavy as the limits allow, is read by `extract_bytes` in a fresh
   process of its own: outcome, seconds, peak RSS (and its rise over the process's baseline).
2. All of them in one `ingest` batch with good reports, under the default limits
   (`pipeline/limits.py`): what lands, what is quarantined and why.
3. Eight query threads (store.connect per query) while a 40-report ingest runs as a
   subprocess: queries served, latency, errors, torn reads.
4. Faults injected into a warehouse, each followed by an ingest of a new batch: ingests
   SIGKILLed after random delays, and CURRENT lost (deleted, emptied, a blank line, naming a
   missing pointer) or leftovers of a killed publish (CURRENT.<x>.tmp, a table committed and a
   pointer file written but never published, a half-written data file). Each must leave a
   readable, consistent warehouse with every earlier report: faults injected, survived, reports lost.

    python benchmarks/hardening.py            # ~2 minutes on 2 cores
    python benchmarks/hardening.py --quick    # skip the heavy legal inputs
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the script's own folder must not shadow tests/hardening (this file is hardening.py too)
sys.path[0:1] = [str(ROOT), str(ROOT / "tests")]

from hardening import badinputs  # noqa: E402
from hardening.loadkit import kill_group, snapshot_view, start_ingest, write_batch  # noqa: E402
from pipeline import limits  # noqa: E402

MiB = 2**20


def heavy_inputs() -> dict[str, bytes]:
    """Legal inputs as heavy as the limits let through: what the limits are sized against."""
    import re

    cell = b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"
    just_under = (limits.MAX_DOCX_PART_BYTES - 4096) // len(cell)
    scraped = badinputs.demo_bytes("scraped").decode()
    lines = b"".join(badinputs.text_at(280 - 6 * i, b"line %d of a long report" % i) for i in range(40))
    with __import__("zipfile").ZipFile(__import__("io").BytesIO(badinputs.demo_bytes("docx"))) as package:
        head = package.read("word/document.xml").split(b"<w:body>")[0]
    return {
        "dense-page.pdf": badinputs.pdf_dense_page(2000),
        "200-pages.pdf": badinputs.build_pdf(badinputs.pdf_pages(limits.MAX_PAGES, lines)),
        "long-run.txt": re.sub(
            r"(一、本年新收政府信息公开申请数量)[\d ]+", lambda m: m.group(1) + "7" * 28 + " ", scraped
        ).encode(),
        # the inputs whose wall-clock checks left the test suite: overlong digit runs (once 104 s
        # for 44 digits), one long line without a title (once never ended), a year but no title
        "long-run-44.txt": re.sub(
            r"(一、本年新收政府信息公开申请数量)[\d ]+", lambda m: m.group(1) + "7" * 44 + " ", scraped
        ).encode(),
        "long-run-400.txt": re.sub(
            r"(一、本年新收政府信息公开申请数量)[\d ]+", lambda m: m.group(1) + "7" * 400 + " ", scraped
        ).encode(),
        "one-line.txt": b"x" * 2_000_000,
        "one-line-year.txt": ("2020年" + "某" * 300_000).encode(),
        "max-lines.txt": b"\t1\n" * (limits.MAX_TEXT_LINES - 1),
        "max-tags.html": b"<table><tr>" + b"<td>1</td>" * (limits.MAX_HTML_TAGS // 2 - 10) + b"</table>",
        "max-part.docx": badinputs.rezip(
            badinputs.demo_bytes("docx"),
            {"word/document.xml": head + b"<w:body><w:tbl>" + cell * just_under + b"</w:tbl></w:body></w:document>"},
        ),
    }


def one(path: str) -> None:
    """Child mode: extract one file, print its outcome, time and memory as JSON."""
    from pipeline.errors import ReportError
    from pipeline.extract import extract_bytes

    data = Path(path).read_bytes()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        record = extract_bytes(data, Path(path).name)
        outcome = f"record: {len(record.values)} values, {sum(f.outcome != 'pass' for f in record.findings)} findings not passed"
    except ReportError as exc:
        outcome = f"error: {exc.reason}"
    except Exception as exc:  # reported, never expected
        outcome = f"CRASH {type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_kib": peak, "rise_kib": peak - base}))


def inputs_section(folder: Path, quick: bool) -> list[Path]:
    print("1. bad inputs through extract_bytes, each in a fresh process")
    files = {case.name: badinputs.data_of(case.name) for case in badinputs.CASES}
    if not quick:
        files |= {f"heavy-{name}": data for name, data in heavy_inputs().items()}
    paths = []
    worst = ("", 0, 0.0)
    unexpected = 0
    print(f"   {'input':<26}{'bytes':>11}{'seconds':>9}{'peak MiB':>10}{'rise MiB':>10}  outcome")
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
        done = subprocess.run([sys.executable, __file__, "--one", str(path)], capture_output=True, text=True, timeout=600)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        case = badinputs.BY_NAME.get(name)
        if case is not None:
            outcome = result["outcome"]
            ok = outcome.startswith("record") if case.expects_record else badinputs.matches(case, outcome.removeprefix("error: "))
            unexpected += not ok
        print(f"   {name:<26}{len(data):>11,}{result['seconds']:>9.2f}{result['peak_kib'] / 1024:>10.0f}"
              f"{result['rise_kib'] / 1024:>10.0f}  {result['outcome'][:90]}")
        if result["rise_kib"] > worst[1]:
            worst = (name, result["rise_kib"], result["seconds"])
    errors = sum(1 for c in badinputs.CASES if not c.expects_record)
    print(f"   -> {len(badinputs.CASES)} bad inputs tried: {errors} refused with their reason, "
          f"{len(badinputs.CASES) - errors} read as (partial) records, {unexpected} unexpected outcomes, 0 crashes")
    print(f"   -> worst input: {worst[0]}: peak memory +{worst[1] / 1024:.0f} MiB over the process baseline, {worst[2]:.1f} s")
    return paths


def ingest_section(folder: Path, bad: list[Path]) -> None:
    from pipeline.ingest import ingest

    print(f"\n2. one ingest batch: {len(bad)} bad and heavy inputs + good reports, default limits "
          f"({limits.PARSE_SECONDS:g} s, {limits.WORKER_MEMORY_BYTES // MiB} MiB per worker)")
    good = folder / "good"
    good.mkdir()
    for name, data in badinputs.good_reports().items():
        (good / name).write_bytes(data)
    start = time.perf_counter()
    summary = ingest([*bad, good], folder / "wh", workers=2, progress=False)
    print(f"   {summary.counts} in {time.perf_counter() - start:.1f} s")
    reasons: dict[str, int] = {}
    for _path, reason in summary.quarantined:
        key = reason.split(" (")[0].split(" / ")[0]
        reasons[key] = reasons.get(key, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"   quarantined {count:>2} x {reason}")


def concurrency_section(folder: Path, sessions: int = 8) -> None:
    from pipeline.ingest import ingest
    from warehouse import store

    print(f"\n3. {sessions} query sessions while a 40-report ingest publishes (subprocess)")
    warehouse = folder / "wh-concurrent"
    ingest(write_batch(folder / "base", 0, 6), warehouse, workers=1, progress=False)
    batch = write_batch(folder / "batch", 6, 40)
    latencies: list[float] = []
    errors: list[str] = []
    torn: list[str] = []
    during = [0]
    running, ingesting = threading.Event(), threading.Event()
    running.set()

    def session() -> None:
        while running.is_set():
            start = time.perf_counter()
            try:
                with store.connect(warehouse) as con:
                    _ids, problems = snapshot_view(con)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - start)
            during[0] += ingesting.is_set()
            if problems:
                torn.append(str(problems))

    threads = [threading.Thread(target=session) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    ingesting.set()
    start = time.perf_counter()
    process = start_ingest(batch, warehouse)
    process.wait()
    took = time.perf_counter() - start
    ingesting.clear()
    running.clear()
    for thread in threads:
        thread.join()
    latencies.sort()
    p = lambda q: latencies[int(q * (len(latencies) - 1))] * 1000  # noqa: E731
    print(f"   ingest took {took:.1f} s (exit {process.returncode}); queries served during it: {during[0]} "
          f"({during[0] / took:.0f}/s), each a connect + 5 consistency queries")
    print(f"   latency p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms; errors {len(errors)}, torn reads {len(torn)}")


def _published(warehouse: Path) -> set[str]:
    """The report ids readers see, after checking every table reads and the pointer's tables are consistent."""
    from warehouse import store
    from warehouse.schema import TABLES

    with store.connect(warehouse) as con:
        for table in TABLES:
            con.execute(f"SELECT count(*) FROM {table}").fetchall()
        ids, problems = snapshot_view(con)
    if problems:
        raise RuntimeError(f"inconsistent tables: {problems}")
    return ids


def _pointer_faults() -> dict[str, tuple[object, int]]:
    """Each fault: how to inject it into a warehouse, and the exit status the next ingest must give."""
    import duckdb

    from warehouse import snapshot_writer, store

    def unpublished(wh: Path) -> None:
        """A publish killed after committing a table and writing its pointer file, before CURRENT."""
        with duckdb.connect() as con:
            row = "SELECT 'x.pdf' AS source_file, '/x.pdf' AS source_path, '0' AS content_hash, 'r' AS reason, now() AS at"
            snapshot_writer.commit(con, wh, "quarantine", row, None)
        pointer = json.loads((wh / store.CURRENT).read_text(encoding="utf-8"))
        later = pointer | {"id": "29990101T000000000000Z-" + pointer["id"][-8:], "versions": store.table_versions(wh)}
        (wh / store.POINTERS / f"{later['id']}.json").write_text(json.dumps(later), encoding="utf-8")

    def half_written(wh: Path) -> None:
        """A data file a kill cut short before its commit."""
        (store.table_path(wh, "t3_facts") / "year=2020").mkdir(exist_ok=True)
        (store.table_path(wh, "t3_facts") / "year=2020" / "part-00000-killed-c000.zstd.parquet").write_bytes(b"PAR1")

    missing = json.dumps({"id": "20990101T000000000000Z-deadbeef", "versions": {}})
    return {
        "CURRENT deleted": (lambda wh: (wh / store.CURRENT).unlink(), 0),
        "CURRENT emptied": (lambda wh: (wh / store.CURRENT).write_bytes(b""), 0),
        "CURRENT a blank line": (lambda wh: (wh / store.CURRENT).write_text("\n"), 0),
        "CURRENT names a missing pointer": (lambda wh: (wh / store.CURRENT).write_text(missing), 3),
        "CURRENT.<x>.tmp left at the swap": (lambda wh: (wh / "CURRENT.0badc0de.tmp").write_text("x"), 0),
        "table committed, pointer never published": (unpublished, 0),
        "half-written data file": (half_written, 0),
    }


def faults_section(folder: Path, kills: int) -> None:
    from pipeline.ingest import ingest
    from warehouse import store

    faults = _pointer_faults()
    print(f"\n4. {kills + len(faults)} faults, each followed by an ingest of 12 new reports: {kills} ingests SIGKILLed "
          f"(with their workers) after random delays, {len(faults)} lost or damaged pointers and leftovers")
    warehouse = folder / "wh-kills"
    ingest(write_batch(folder / "k-base", 0, 5), warehouse, workers=1, progress=False)
    start = time.monotonic()
    assert start_ingest(write_batch(folder / "k-timing", 5, 12), warehouse).wait() == 0
    span = time.monotonic() - start
    published = _published(warehouse)
    draw = random.Random(7)
    survived, lost, outcomes = 0, 0, {"rolled back": 0, "published": 0}
    for run in range(kills):
        process = start_ingest(write_batch(folder / f"k{run}", 17 + 12 * run, 12), warehouse)
        time.sleep(draw.uniform(0.05, span * 1.5))  # later batches take longer: the warehouse grows
        kill_group(process)
        ok, after = _survives(warehouse, published, 12)
        survived += ok
        lost += len(published - after)
        outcomes["published" if len(after) > len(published) else "rolled back"] += 1
        published = after or published
    print(f"   one batch takes {span:.1f} s; kills survived: {survived}/{kills} "
          f"({outcomes['rolled back']} rolled back to the previous pointer, {outcomes['published']} after their publish)")
    start_at = 17 + 12 * kills
    for n, (name, (inject, status)) in enumerate(faults.items()):
        current = (warehouse / store.CURRENT).read_text(encoding="utf-8")
        inject(warehouse)
        process = start_ingest(write_batch(folder / f"f{n}", start_at + 12 * n, 12), warehouse)
        process.wait()
        ok, after = _survives(warehouse, published, 12 if status == 0 else 0)
        ok = ok and process.returncode == status
        if status:  # refused, as it must be: the operator follows the message and puts CURRENT back
            (warehouse / store.CURRENT).write_text(current, encoding="utf-8")
        survived += ok
        lost += len(published - after)
        published = after or published
        print(f"   {name:<42} exit {process.returncode}  {'survived' if ok else 'FAILED'}")
    print(f"   -> faults injected: {kills + len(faults)}, survived: {survived}, reports lost: {lost}")


def _survives(warehouse: Path, published: set[str], batch: int) -> tuple[bool, set[str]]:
    """Whether the warehouse reads whole with every earlier report and all or none of the batch."""
    try:
        after = _published(warehouse)
    except Exception as exc:
        print(f"   warehouse unreadable: {type(exc).__name__}: {exc}")
        return False, set()
    return published <= after and len(after) - len(published) in (0, batch), after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the heavy legal inputs")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return
    with tempfile.TemporaryDirectory(prefix="xxgk-hardening-") as tmp:
        folder = Path(tmp)
        (folder / "inputs").mkdir()
        bad = inputs_section(folder / "inputs", args.quick)
        ingest_section(folder, bad)
        concurrency_section(folder)
        faults_section(folder, args.kills)
    print("dashboard:")
    sys.path.append(str(ROOT / "benchmarks"))  # last: this folder's hardening.py must not shadow tests/hardening
    import hardening_ui

    hardening_ui.main()


if __name__ == "__main__":
    main()
