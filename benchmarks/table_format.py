"""Which open table format the warehouse should move to (issue #17): the figures that decide it.

For Delta Lake (`deltalake`, delta-rs; the format the warehouse now uses, warehouse.store) and
Apache Iceberg (`pyiceberg`, SQL catalog on sqlite), at 10,000 and
100,000 synthetic reports (rows with the schema of warehouse/schema.py, made with numpy and
pyarrow, as many per report as the demo warehouse holds), it prints
(the snapshot layout of before was measured beside them; its figures are kept in docs/scale.md):

a. seconds and bytes written to publish one new report into reports, the four fact tables
   and findings (median of 3);
b. the same for replacing one existing report (its rows deleted by report_id, new ones added);
c. a cold read (a fresh interpreter, no xxgk code) of the published t3_facts for one year,
   through DuckDB (a pyarrow dataset, or the version's file list in read_parquet) and polars;
d. how a publish is made atomic across tables (a pointer file naming each table's version,
   replaced by rename; pyiceberg's SQL catalog has no multi-table commit, checked here);
e. the vacuum of old versions: seconds and bytes freed;
f. ingests killed with SIGKILL at a random point of a publish, ~20 per format: does every
   table still open, at the pointer's versions, and are the tables consistent with each other;
g. at the first size, whether a publish slows down after many more (metadata growth).

    python benchmarks/table_format.py [--sizes 10000 100000] [--kills 20] [--history 150] [--work DIR]

Skips with a message (status 0) where deltalake or pyiceberg is not installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    import deltalake
    import pyiceberg
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.expressions import And, EqualTo, In
except ImportError as missing:  # the benchmark needs both libraries; the product needs neither yet
    print(f"skipped: {missing.name} is not installed (pip install deltalake 'pyiceberg[sql-sqlite,pyarrow]')")
    sys.exit(0)

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from warehouse import store  # noqa: E402
from warehouse.schema import FACT_TABLES, TABLES  # noqa: E402

#: Rows per report, as in the demo warehouse (465 reports: t3 190, findings 50, ...).
ROWS = {"reports": 1, "t2_facts": 14, "t3_facts": 190, "t4_facts": 16, "text_facts": 5, "findings": 50}
PUBLISHED = tuple(ROWS)
YEARS = 7
FIRST_YEAR = 2019
READ_YEAR = 2023
CHUNK = 5000
FORMATS = ("delta", "iceberg")


# ---------------------------------------------------------------- synthetic rows


def report_id(seed: int, i: int) -> str:
    return hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()


def _take(vocab: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(vocab, pa.string()).take(pa.array(index))


def _facts(table: str, ids: pa.Array, agencies: pa.Array, years: np.ndarray, rng: np.random.Generator) -> pa.Table:
    """Every key of the table once per report, about 12% derived and 5% blank, as the demo has."""
    k, n = ROWS[table], len(ids)
    rep, key = np.repeat(np.arange(n), k), np.tile(np.arange(k), n)
    prefix = table.removesuffix("_facts")
    rows_ = [f"row_{r:02d}_{'withheld_state_secret'[: 8 + r % 12]}" for r in range(max(1, k // 7))]
    cols = ["natural_person", "org_commercial", "org_research", "org_social", "org_legal_service", "org_other", "total"]
    row_keys = [rows_[i // 7 % len(rows_)] for i in range(k)]
    col_keys = [cols[i % 7] for i in range(k)]
    status = rng.choice(3, size=n * k, p=[0.83, 0.05, 0.12])
    value = rng.integers(0, 400, n * k).astype(np.float64)
    reported = status == 0
    raw = pc.if_else(pa.array(reported), pc.cast(pa.array(value.astype(np.int64)), pa.string()), pa.nulls(n * k, pa.string()))
    sources = [f"table 2 row {i // 7 + 3} col {i % 7 + 2}" for i in range(k)]
    return pa.Table.from_arrays(
        [ids.take(pa.array(rep)), agencies.take(pa.array(rep)), pa.array(years[rep], pa.int32()),
         _take([f"{prefix}.{r}.{c}" for r, c in zip(row_keys, col_keys, strict=True)], key),
         _take(row_keys, key), _take(col_keys, key),
         pa.array(np.where(status == 1, np.nan, value), pa.float64(), from_pandas=True), raw,
         _take(["reported", "blank", "derived"], status),
         pc.if_else(pa.array(status == 2), pa.scalar("derived:sum of parts"), _take(sources, key))],
        schema=TABLES[table].schema,
    )  # fmt: skip


def _findings(ids: pa.Array, agencies: pa.Array, years: np.ndarray, rng: np.random.Generator) -> pa.Table:
    k, n = ROWS["findings"], len(ids)
    rep, rule = np.repeat(np.arange(n), k), np.tile(np.arange(k), n) % 9
    rules = ["T3-OFF", "T3-SUM", "T3-NONNEG", "T2-SUM", "T4-SUM", "T4-NONNEG", "TEXT-T3", "T2-COUNT", "T3-TOTAL"]
    outcome = rng.choice(3, size=n * k, p=[0.93, 0.01, 0.06])
    keys = pa.array([[f"t3.row_{i:02d}.total", f"t3.row_{i + 1:02d}.total"] for i in range(9)], pa.list_(pa.string()))
    return pa.Table.from_arrays(
        [ids.take(pa.array(rep)), agencies.take(pa.array(rep)), pa.array(years[rep], pa.int32()), _take(rules, rule),
         _take(["error", "warning"], rule % 2), _take(["pass", "fail", "not_assessable"], outcome), keys.take(pa.array(rule)),
         _take([f"第{i}项：本年新收申请数加上年结转数应等于办理结果总数" for i in range(9)], rule),
         _take([f"rule {i}: new plus carried over equals the outcomes' total" for i in range(9)], rule),
         pa.array(["report"] * (n * k), pa.string()), pa.nulls(n * k, pa.string())],
        schema=TABLES["findings"].schema,
    )  # fmt: skip


def _reports(ids: pa.Array, agencies: pa.Array, years: np.ndarray, first: int) -> pa.Table:
    n = len(ids)
    names = [f"演示市第{(first + i) // YEARS}区人民政府办公室" for i in range(n)]
    return pa.Table.from_pylist(
        [{"report_id": ids[i].as_py(), "agency_id": agencies[i].as_py(), "agency_name": names[i], "year": int(years[i]),
          "template_version": "2021", "template_evidence": ["t3.columns=7"], "source_file": f"{names[i]}.pdf",
          "source_path": f"/data/reports/{first + i}.pdf", "source_format": "pdf", "size_bytes": 180_000,
          "ingested_at": datetime(2026, 1, 1, tzinfo=UTC), "parser_version": "bench", "synthetic": True,
          "duplicate": False, "n_values": 201, "n_ambiguous": 0} for i in range(n)],
        schema=TABLES["reports"].schema,
    )  # fmt: skip


def batch(seed: int, first: int, n: int, year: int | None = None) -> dict[str, pa.Table]:
    """The rows of reports first .. first+n-1 in every published table (report i: body i // 7, year 2019 + i % 7)."""
    rng = np.random.default_rng([seed, first])
    index = np.arange(first, first + n)
    ids = pa.array([report_id(seed, i) for i in index], pa.string())
    agencies = pa.array([hashlib.sha1(str(i // YEARS).encode()).hexdigest()[:16] for i in index], pa.string())
    years = np.full(n, year, np.int32) if year else (FIRST_YEAR + index % YEARS).astype(np.int32)
    tables = {table: _facts(table, ids, agencies, years, rng) for table in FACT_TABLES.values()}
    return {"reports": _reports(ids, agencies, years, first), **tables, "findings": _findings(ids, agencies, years, rng)}


def chunks(seed: int, reports: int) -> Iterator[dict[str, pa.Table]]:
    for first in range(0, reports, CHUNK):
        yield batch(seed, first, min(CHUNK, reports - first))


# ---------------------------------------------------------------- the three writers


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (s.st_size, s.st_mtime_ns) for p in folder.rglob("*") if p.is_file() and (s := p.stat())}


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    """Bytes of the files a step created or changed."""
    return sum(size for path, (size, mtime) in after.items() if before.get(path) != (size, mtime))


class Delta:
    """One Delta table per warehouse table; the publish commits each, then renames a pointer
    file naming every table's version into place: the single commit point across tables."""

    name = "delta"

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(self, parts: Iterator[dict[str, pa.Table]]) -> None:
        for part in parts:
            for table, rows in part.items():
                deltalake.write_deltalake(self.root / table, rows, partition_by=["year"], mode="append")
        self.seal()

    def seal(self) -> None:
        versions = {t: deltalake.DeltaTable(self.root / t).version() for t in PUBLISHED}
        store.replace_atomically(self.root / "CURRENT.json", json.dumps(versions))

    def add(self, rows: dict[str, pa.Table], removed: str | None = None, year: int | None = None) -> None:
        for table, arrow in rows.items():
            if removed:  # one commit per table: delete the old report's rows, add the new ones
                ids = f"'{removed}', '{arrow['report_id'][0]}'" if len(arrow) else f"'{removed}'"
                predicate = f"year = {year} AND report_id IN ({ids})"
                deltalake.write_deltalake(self.root / table, arrow, mode="overwrite", predicate=predicate)
            else:
                deltalake.write_deltalake(self.root / table, arrow, mode="append")
        self.seal()

    def pointer(self) -> dict:
        return json.loads((self.root / "CURRENT.json").read_text())

    def compact(self) -> None:
        """Merge each partition's small files into one (a new version), checkpoint the log."""
        for table in PUBLISHED:
            dt = deltalake.DeltaTable(self.root / table)
            dt.optimize.compact()
            dt.create_checkpoint()

    def vacuum(self, older_than: datetime) -> None:
        hours = max(0, int((datetime.now(UTC) - older_than).total_seconds() // 3600))
        for table in PUBLISHED:
            dt = deltalake.DeltaTable(self.root / table)
            dt.create_checkpoint()
            dt.cleanup_metadata()
            dt.vacuum(retention_hours=hours, enforce_retention_duration=False, dry_run=False)


class Iceberg:
    """One Iceberg table per warehouse table in a sqlite catalog; each commit is one catalog
    row update, so across tables the same pointer file (snapshot ids) is the commit point."""

    name = "iceberg"

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.catalog = SqlCatalog("xxgk", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")

    def table(self, name: str):  # noqa: ANN201 - pyiceberg.table.Table
        return self.catalog.load_table(f"wh.{name}")

    def load(self, parts: Iterator[dict[str, pa.Table]]) -> None:
        self.catalog.create_namespace_if_not_exists("wh")
        for table in PUBLISHED:
            created = self.catalog.create_table(f"wh.{table}", schema=TABLES[table].schema)
            with created.update_spec() as spec:
                spec.add_identity("year")
        for part in parts:
            for table, rows in part.items():
                self.table(table).append(rows)
        self.seal()

    def seal(self) -> None:
        versions = {t: self.table(t).current_snapshot().snapshot_id for t in PUBLISHED}
        store.replace_atomically(self.root / "CURRENT.json", json.dumps(versions))

    def add(self, rows: dict[str, pa.Table], removed: str | None = None, year: int | None = None) -> None:
        for table, arrow in rows.items():
            target = self.table(table)
            if removed:  # one catalog commit per table: delete and append in one transaction
                ids = {removed, *arrow["report_id"].to_pylist()[:1]}
                target.overwrite(arrow, overwrite_filter=And(EqualTo("year", year), In("report_id", ids)))
            else:
                target.append(arrow)
        self.seal()

    def pointer(self) -> dict:
        return json.loads((self.root / "CURRENT.json").read_text())

    def vacuum(self, older_than: datetime) -> None:
        """pyiceberg expires snapshots from the metadata but deletes no file: the files no kept
        snapshot, manifest or metadata names are found and deleted here."""
        for name in PUBLISHED:
            table = self.table(name)
            table.maintenance.expire_snapshots().older_than(older_than).commit()
            table = self.table(name)
            live = set(table.inspect.all_files()["file_path"].to_pylist())
            live |= set(table.inspect.all_manifests()["path"].to_pylist())
            live |= {s.manifest_list for s in table.snapshots()} | {table.metadata_location}
            folder = Path(table.location().removeprefix("file://"))
            for path in folder.rglob("*"):
                if path.is_file() and f"file://{path}" not in live and str(path) not in live:
                    path.unlink()


WRITERS: dict[str, Callable[[Path], Delta | Iceberg]] = {"delta": Delta, "iceberg": Iceberg}


# ---------------------------------------------------------------- (a), (b): publishing


def median_publish(writer: Delta | Iceberg, steps: list[tuple[dict[str, pa.Table], str | None, int]]) -> tuple[float, int]:
    """Median seconds and bytes written over the given publishes (rows, replaced report, its year)."""
    seconds, sizes = [], []
    for rows, removed, year in steps:
        before, start = tree(writer.root), time.perf_counter()
        writer.add(rows, removed, year)
        seconds.append(time.perf_counter() - start)
        sizes.append(written(before, tree(writer.root)))
    return statistics.median(seconds), int(statistics.median(sizes))


def disk(folder: Path) -> int:
    return sum(size for size, _ in tree(folder).values())


# ---------------------------------------------------------------- (c): reading with no xxgk code

_OPEN = {
    "delta": "import json, deltalake\nversion = json.load(open(f'{root}/CURRENT.json'))['t3_facts']\n",
    "iceberg": (
        "import json\nfrom pyiceberg.catalog.sql import SqlCatalog\n"
        "snapshot = json.load(open(f'{root}/CURRENT.json'))['t3_facts']\n"
        "table = SqlCatalog('xxgk', uri=f'sqlite:///{root}/catalog.db', warehouse=f'file://{root}').load_table('wh.t3_facts')\n"
    ),
}
_SCAN = {
    ("delta", "duckdb"): "duckdb.sql(f'SELECT * FROM ds WHERE year = {year}').to_arrow_table()",
    ("delta", "polars"): "pl.scan_delta(f'{root}/t3_facts', version=version).filter(pl.col('year') == year).collect()",
    ("iceberg", "duckdb"): "duckdb.sql(f'SELECT * FROM ds WHERE year = {year}').to_arrow_table()",
    ("iceberg", "polars"): "pl.scan_iceberg(table, snapshot_id=snapshot).filter(pl.col('year') == year).collect()",
    ("delta", "duckdb-files"): "duckdb.sql(f'SELECT * FROM read_parquet({files}, hive_partitioning = true)').to_arrow_table()",
    ("iceberg", "duckdb-files"): "duckdb.sql(f'SELECT * FROM read_parquet({files})').to_arrow_table()",
}  # fmt: skip
_FILES = {  # the version's files of that year, for DuckDB's own Parquet reader
    "delta": "files = deltalake.DeltaTable(f'{root}/t3_facts', version=version).file_uris([('year', '=', str(year))])\n",
    "iceberg": "files = [task.file.file_path.removeprefix('file://') for task in "
    "table.scan(snapshot_id=snapshot, row_filter=f'year = {year}').plan_files()]\n",
}
_DATASET = {  # or the library's pyarrow dataset, registered in DuckDB
    "delta": "ds = deltalake.DeltaTable(f'{root}/t3_facts', version=version).to_pyarrow_dataset()\n",
    "iceberg": _FILES["iceberg"] + "import pyarrow.dataset\nds = pyarrow.dataset.dataset(files, format='parquet')\n",
}


def cold_read(fmt: str, engine: str, root: Path) -> tuple[float, int]:
    """Open the published t3_facts and read one year whole, in a fresh interpreter (imports not timed)."""
    prepare = {"duckdb": _DATASET, "duckdb-files": _FILES}.get(engine, {}).get(fmt, "")
    body = _OPEN[fmt] + prepare + f"rows = {_SCAN[fmt, engine]}\n"
    code = (
        "import time, duckdb, polars as pl\n" + ("import deltalake\n" if fmt == "delta" else "")
        + f"root, year = {str(root)!r}, {READ_YEAR}\nstart = time.perf_counter()\n" + body
        + "print(time.perf_counter() - start, len(rows))\n"
    )  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    secs, rows = out.splitlines()[-1].split()  # DuckDB may draw its progress bar before
    return float(secs), int(rows)


# ---------------------------------------------------------------- (f): kill -9 mid-publish

KILL_BASE = 1000
CHAIN_SEED = 2


def chain_step(i: int) -> dict[str, pa.Table]:
    """Step i of the kill loop replaces the report of step i-1 (year 2025) with a new one."""
    return batch(CHAIN_SEED, i, 1, year=2025)


def report_sets(writer: Delta | Iceberg, versions: dict | None) -> dict[str, tuple[frozenset[str], int]]:
    """Per table: its report ids and row count at the given versions (None: each table's latest)."""
    out = {}
    for table in PUBLISHED:
        if isinstance(writer, Delta):
            dt = deltalake.DeltaTable(writer.root / table, version=None if versions is None else versions[table])
            ids = dt.to_pyarrow_dataset().to_table(columns=["report_id"])["report_id"]
        else:
            snap = None if versions is None else versions[table]
            ids = writer.table(table).scan(snapshot_id=snap, selected_fields=("report_id",)).to_arrow()["report_id"]
        out[table] = (frozenset(pc.unique(ids).to_pylist()), len(ids))
    return out


def chain_index(ids: frozenset[str]) -> int:
    return next(i for i in range(100_000) if report_id(CHAIN_SEED, i) in ids)


def child(fmt: str, root: Path) -> None:
    """The process the kill test kills: publishes chain steps until it is killed."""
    writer = WRITERS[fmt](root)
    step = chain_index(report_sets(writer, writer.pointer())["reports"][0])
    print("ready", flush=True)
    while True:
        step += 1
        start = time.perf_counter()
        writer.add(chain_step(step), report_id(CHAIN_SEED, step - 1), 2025)
        print("step", time.perf_counter() - start, flush=True)


def kill_trial(fmt: str, root: Path, rng: random.Random) -> dict[str, bool | int]:
    proc = subprocess.Popen([sys.executable, __file__, "--child", fmt, str(root)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("ready")
    first = float(proc.stdout.readline().split()[1])  # one whole publish, then a kill at a random point of the next
    time.sleep(rng.uniform(0, first))
    proc.kill()
    proc.wait()
    writer = WRITERS[fmt](root)
    try:
        at = report_sets(writer, writer.pointer())
        latest = report_sets(writer, None)
    except Exception as error:  # noqa: BLE001 - the figure is whether it opens at all
        return {"opens": False, "error": repr(error)}
    ids = at["reports"][0]
    step = chain_index(ids)
    following = (ids - {report_id(CHAIN_SEED, step)}) | {report_id(CHAIN_SEED, step + 1)}
    consistent = all(s == ids and n == len(ids) * ROWS[t] for t, (s, n) in at.items())
    return {
        "opens": True,
        "consistent": consistent,
        "previous_or_next": all(s in (ids, following) for s, _ in latest.values()),
        "torn": any(s != ids for s, _ in latest.values()),
    }


def kill_test(fmt: str, work: Path, trials: int) -> str:
    root = work / f"kill-{fmt}"
    writer = WRITERS[fmt](root)
    writer.load(iter([batch(1, 0, KILL_BASE), batch(CHAIN_SEED, 0, 1, year=2025)]))
    rng = random.Random(17)
    results = [kill_trial(fmt, root, rng) for _ in range(trials)]
    count = lambda key: sum(1 for r in results if r.get(key))  # noqa: E731
    errors = {r["error"] for r in results if "error" in r}
    return (f"{trials} kills: opens {count('opens')}, tables consistent at the pointer {count('consistent')}, "
            f"each table's latest version at the pointer's or the next {count('previous_or_next')}, "
            f"killed between two tables' commits {count('torn')}" + (f"; errors {errors}" if errors else ""))  # fmt: skip


# ---------------------------------------------------------------- the run


def history(writer: Delta | Iceberg, publishes: int, reports: int) -> str:
    """Does a publish slow down as versions pile up (Iceberg rewrites its whole metadata file each commit)?"""
    seconds = []
    for i in range(publishes):
        start = time.perf_counter()
        writer.add(batch(5, reports + i, 1, year=2025))
        seconds.append(time.perf_counter() - start)
    meta = sum(size for path, (size, _) in tree(writer.root).items() if "_delta_log" in path or "/metadata/" in path)
    after = ""
    if isinstance(writer, Delta):  # pyiceberg 0.12 has no compaction of data files
        start = time.perf_counter()
        writer.compact()
        took = time.perf_counter() - start
        later = [median_publish(writer, [(batch(5, reports + publishes + i, 1, year=2025), None, 2025)])[0] for i in range(10)]
        after = f"; compact + checkpoint {took:.1f} s, then median of 10 {statistics.median(later):.3f} s"
    return (
        f"(g) {publishes} more publishes: median of the first 10 {statistics.median(seconds[:10]):.3f} s, "
        f"of the last 10 {statistics.median(seconds[-10:]):.3f} s; metadata now {meta / 2**20:.1f} MiB{after}"
    )


def measure(reports: int, work: Path, publishes: int, formats: list[str]) -> None:
    print(f"\n== {reports:,} reports ({reports * ROWS['t3_facts']:,} t3_facts rows)")
    year_index = [j for j in range(reports) if FIRST_YEAR + j % YEARS == READ_YEAR][:3]
    for fmt in formats:
        writer = WRITERS[fmt](work / fmt)
        start = time.perf_counter()
        writer.load(chunks(1, reports))
        print(f"{fmt:8} loaded in {time.perf_counter() - start:.1f} s, {disk(writer.root) / 2**20:,.0f} MiB on disk")
        new = [(batch(3, reports + i, 1, year=2025), None, 2025) for i in range(3)]
        secs, size = median_publish(writer, new)
        print(f"{fmt:8} (a) publish 1 new report:     {secs:7.3f} s, {size / 2**20:9.2f} MiB written")
        swaps = [(batch(4, j, 1, year=READ_YEAR), report_id(1, j), READ_YEAR) for j in year_index]
        secs, size = median_publish(writer, swaps)
        print(f"{fmt:8} (b) replace 1 report:          {secs:7.3f} s, {size / 2**20:9.2f} MiB written")
        for engine in ("duckdb", "polars", "duckdb-files"):
            secs, rows = cold_read(fmt, engine, writer.root)
            print(f"{fmt:8} (c) cold read t3 {READ_YEAR} {engine:12}: {secs:7.3f} s, {rows:,} rows")
        before, start = disk(writer.root), time.perf_counter()
        writer.vacuum(datetime.now(UTC) + timedelta(seconds=1))
        print(f"{fmt:8} (e) vacuum all but the current version: {time.perf_counter() - start:.2f} s, "
              f"{(before - disk(writer.root)) / 2**20:,.1f} MiB freed, {disk(writer.root) / 2**20:,.0f} MiB left")  # fmt: skip
        if publishes:
            print(f"{fmt:8} {history(writer, publishes, reports + 10)}")
        shutil.rmtree(writer.root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLed publishes per format")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--history", type=int, default=150, help="publishes in a row at the first size, (g)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"deltalake {deltalake.__version__}, pyiceberg {pyiceberg.__version__}, duckdb {duckdb.__version__}")
    print(
        "(d) atomic across tables: each format commits one table at a time (Delta: a log entry per table; "
        f"pyiceberg's SqlCatalog.commit_transactions exists: {hasattr(SqlCatalog, 'commit_transactions')}); "
        "a pointer file naming every table's version, replaced by rename after the last commit, is the one commit point"
    )
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        for k, reports in enumerate(args.sizes):
            measure(reports, Path(scratch), args.history if k == 0 else 0, args.formats)
        if args.kills:
            print(f"\n(f) kill -9 at a random point of a publish (replace 1 report in 6 tables), base {KILL_BASE:,} reports")
            for fmt in args.formats:
                print(f"{fmt:8} {kill_test(fmt, Path(scratch), args.kills)}")


if __name__ == "__main__":
    main()
