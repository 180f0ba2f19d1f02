"""The built-in demo: a synthetic city's reports, ingested through the real pipeline.

`python -m pipeline demo --warehouse DIR [--seed N] [--scale small|medium|large]`
writes a corpus of made-up reports of fictional bodies (云岫市 and its districts) in
every published form, with a truth record beside each, into `DIR/demo-corpus/`, and
then ingests it with `pipeline.ingest.ingest` exactly as real reports are ingested
(marked synthetic), followed by the one real sample report the project ships
(`samples/seed_sunjiatuan_2020.txt`, not synthetic). Nothing writes facts directly.

The corpus is deterministic in (seed, scale): a second run finds it in place and
skips generation, and ingest skips the files it has already read.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from pipeline.demo.city import bodies
from pipeline.demo.numbers import series
from pipeline.demo.plan import plans
from pipeline.demo.render import render
from pipeline.demo.report import Report, compose
from pipeline.demo.truth import truth_record

#: Bump when the generator's output changes, so a cached corpus is regenerated.
GENERATOR_VERSION = "2"
CORPUS_DIR = "demo-corpus"
SAMPLE = Path(__file__).parent / "samples" / "seed_sunjiatuan_2020.txt"


def reports(seed: int, scale: str, names: set[str] | None = None) -> Iterator[Report]:
    """Every report of the demo world, body by body, oldest year first (optionally some bodies only)."""
    for body in bodies(scale):
        if names is not None and body.name not in names:
            continue
        figures = series(body, seed)
        for plan in plans(body, seed, scale):
            yield compose(plan, figures[plan.year], seed)


def _write_body(folder: Path, seed: int, scale: str, name: str) -> list[tuple[str, list[str]]]:
    """Render one body's reports and truth records; (form, planted rules) per report."""
    out = []
    for report in reports(seed, scale, {name}):
        (folder / "reports" / report.source).write_bytes(render(report))
        record = truth_record(report)
        truth = folder / "truth" / f"{report.source}.json"
        truth.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        out.append((report.plan.form, [p["rule"] for p in record["planted"]]))
    return out


def write_corpus(folder: Path, seed: int, scale: str, workers: int | None = None) -> Counter[str]:
    """Generate the corpus into `folder` (reports/, truth/, manifest.json); counts by form and planted rule.

    Reuses a corpus already generated with the same seed, scale and generator version.
    """
    manifest = folder / "manifest.json"
    wanted = {"seed": seed, "scale": scale, "generator": GENERATOR_VERSION}
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")).get("made_with") == wanted:
        return Counter(json.loads(manifest.read_text(encoding="utf-8"))["counts"])
    for sub in ("reports", "truth"):
        shutil.rmtree(folder / sub, ignore_errors=True)
        (folder / sub).mkdir(parents=True)
    names = [body.name for body in bodies(scale)]
    counts: Counter[str] = Counter()
    # Forkserver, not fork: a fork copies the caller's threads' state (Ray's, DuckDB's), and a
    # child inheriting it can crash at its first garbage collection.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        for made in pool.map(partial(_write_body, folder, seed, scale), names, chunksize=4):
            for form, rules in made:
                counts[form] += 1
                counts.update(f"planted {rule}" for rule in rules)
    manifest.write_text(json.dumps({"made_with": wanted, "counts": counts}, ensure_ascii=False, indent=1), encoding="utf-8")
    return counts


def write_register(root: Path, scale: str) -> Path | None:
    """Every demo body into `<warehouse>/register.csv` (column `name`), the coverage page's expected
    bodies, so a body publishing nothing in a year is 缺报 even in its first year. A register already
    there (the user's own) is left as it is; None then."""
    from warehouse.settings import REGISTER_FILE

    path = root / REGISTER_FILE
    if path.exists():
        return None
    root.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name"])
        writer.writerows([body.name] for body in bodies(scale))
    return path


def write_scope(root: Path, scale: str) -> Path | None:
    """The demo's governments declared as reporting their own office in `<warehouse>/report_scope.csv`:
    the demo knows what its reports cover, so the sum heuristic (a government's requests at least those
    of the bodies inside its region) never mistakes one for a region report. A file already there is
    left as it is; None then."""
    from warehouse.settings import SCOPE_FILE

    path = root / SCOPE_FILE
    if path.exists():
        return None
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "year", "scope"])
        writer.writerows([body.name, "", "body"] for body in bodies(scale) if body.kind == "government")
    return path


def demo_command(warehouse: str | None, seed: int, scale: str) -> int:
    """Generate (or reuse) the demo corpus, ingest it and the real sample; print timings."""
    from pipeline.ingest import ingest, print_summary
    from warehouse.settings import warehouse_dir

    root = warehouse_dir(warehouse)
    folder = root / CORPUS_DIR
    started = time.perf_counter()
    counts = write_corpus(folder, seed, scale)
    generated = time.perf_counter()
    made = sum(n for key, n in counts.items() if not key.startswith("planted"))
    forms = ", ".join(f"{key} {n}" for key, n in sorted(counts.items()) if not key.startswith("planted"))
    planted = ", ".join(f"{key.removeprefix('planted ')} {n}" for key, n in sorted(counts.items()) if key.startswith("planted"))
    print(f"demo corpus: {made} synthetic reports ({forms}) in {folder} [{generated - started:.1f}s]")
    print(f"planted agency errors: {planted or 'none'}")
    summary = ingest([folder / "reports"], root, synthetic=True)
    print_summary(summary, root)
    sample = ingest([SAMPLE], root, synthetic=False)
    print_summary(sample, root)
    register = write_register(root, scale)
    print(f"register of expected bodies: {register}" if register else "register.csv already present: left as it is")
    scope = write_scope(root, scale)
    print(f"scope of the governments' reports: {scope}" if scope else "report_scope.csv already present: left as it is")
    finished = time.perf_counter()
    print(f"demo ready in {finished - started:.1f}s (generate {generated - started:.1f}s, ingest {finished - generated:.1f}s)")
    written = summary.ingested or summary.unchanged or summary.replaced
    return 0 if written else 1
