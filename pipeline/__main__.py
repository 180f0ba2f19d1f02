"""Command line: `python -m pipeline extract | evaluate | ingest | demo`."""

from __future__ import annotations

import argparse
import sys

from pipeline.cli import EXIT_BAD_INPUT, EXIT_DAMAGED, EXIT_LOCKED
from pipeline.engines import ENGINES
from pipeline.errors import ReportError
from warehouse.errors import LockTimeout, WarehouseDamaged


def build_parser() -> argparse.ArgumentParser:
    """All sub-commands and their options."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="xxgk 政府信息公开年报 pipeline")
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser("extract", help="extract one report and print its record")
    extract.add_argument("file")
    extract.add_argument("--json", action="store_true", help="print the keys.md JSON record with findings")

    evaluate = sub.add_parser("evaluate", help="compare extraction with truth records, field by field")
    evaluate.add_argument("corpus_dir")
    evaluate.add_argument("truth_dir")

    ingest = sub.add_parser("ingest", help="ingest files and folders of reports into the warehouse")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--warehouse", default=None, help="warehouse folder (default: $XXGK_WAREHOUSE or per-user)")
    ingest.add_argument("--workers", type=int, default=None)
    ingest.add_argument(
        "--lock-timeout", type=float, default=None, metavar="SECONDS",
        help="how long to wait for another ingest to finish (default: $XXGK_LOCK_TIMEOUT or 600)",
    )
    ingest.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="where files are parsed: the local worker pool (default) or Ray tasks (the ray extra; docs/scale.md)",
    )
    ingest.add_argument(
        "--address", default=None,
        help="with --engine ray: the cluster to join (auto: the one `ray start` began here; default: a local Ray)",
    )

    demo = sub.add_parser("demo", help="generate the synthetic demo corpus and ingest it")
    demo.add_argument("--warehouse", default=None)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every expected failure ends with one line on stderr and its own
    status (pipeline.cli: 2 bad input, 3 damaged warehouse, 4 another ingest held the lock)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "address", None) and args.engine != "ray":
        parser.error("--address joins a Ray cluster: give it with --engine ray")
    try:
        if args.command == "extract":
            from pipeline.cli import extract_command

            return extract_command(args.file, as_json=args.json)
        if args.command == "evaluate":
            from pipeline.evaluate import evaluate_command

            return evaluate_command(args.corpus_dir, args.truth_dir)
        if args.command == "ingest":
            from pipeline.ingest import ingest_command

            return ingest_command(args.paths, args.warehouse, args.workers, args.lock_timeout, args.engine, args.address)
        from pipeline.demo import demo_command

        return demo_command(args.warehouse, args.seed, args.scale)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WarehouseDamaged as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DAMAGED
    except LockTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED


if __name__ == "__main__":
    sys.exit(main())
