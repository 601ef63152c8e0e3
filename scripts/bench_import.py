#!/usr/bin/env python
"""Benchmark of the plan file: import and export of generated plans (a measurement, not a test).

    .venv/bin/python scripts/bench_import.py                      # SQLite, 1,000 and 5,000 rows
    .venv/bin/python scripts/bench_import.py \\
        --database-url postgres://postgres@127.0.0.1:5432/csp_plan  # PostgreSQL

Each run uses a throwaway database: a temporary SQLite file, or a PostgreSQL database named
`<name>_bench` on the same server (created, then dropped). The database is emptied (`flush`)
before every import, so "import" means importing into an empty database with --create-missing:
the partnership, 9 agencies, 4 themes, the plan, 20 priorities, N actions with 1–2 outcomes and
2 supporting agencies each, and all their history. Times are the best of --repeat runs; peak
memory is Python's own (tracemalloc), measured in a separate run so that tracing does not slow
the timed ones. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource

from bench_common import AGENCIES, THEMES, flush, in_throwaway_database, migrate, peak_mb, timed


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is kept")
    parser.add_argument(
        "--database-url",
        default="",
        help="a postgres:// address (its server is used; the database is <name>_bench); "
        "default: a temporary SQLite file",
    )
    return parser.parse_args()


def generate_rows(count: int, *, target: str = "2022-03-31") -> list[tuple[str, ...]]:
    """A plan of `count` actions, with the awkward text real plans have (quotes, commas, ;)."""
    head = (
        "Benchmark District Community Safety Partnership",
        "Community Safety Delivery Plan 2021 – 2022",
        "2021-04-01",
        "2022-03-31",
    )
    rows = []
    for n in range(count):
        lead = AGENCIES[n % len(AGENCIES)]
        supporting = [AGENCIES[(n + 1) % 9], AGENCIES[(n + 4) % 9]]
        outcomes = [f"Reduction in repeat incidents, “hotspot” area {n}"]
        measures = [f"Police-recorded incidents; area {n}"]
        if n % 2:
            outcomes.append(f"Better satisfaction with the response (survey {n})")
            measures.append("")
        rows.append(
            (
                *head,
                f"Priority {n % 20:02d}: Anti-social Behaviour; Vulnerable Persons",
                THEMES[n % 4],
                f"Action {n}: develop, with partners, diversionary activity for young "
                f"people in 'hotspot areas' – phase {n // 20}",
                "\n".join(outcomes),
                lead,
                "; ".join(supporting),
                target,
                "\n".join(measures).rstrip("\n"),
            )
        )
    return rows


def main() -> None:
    args = parse_args()
    in_throwaway_database(args.database_url, lambda: run(args))


def run(args) -> None:
    vendor, version = migrate()
    print(
        f"<!-- {datetime.date.today()}: Python {platform.python_version()}, {vendor} {version}, "
        f"{os.cpu_count()} CPUs, best of {args.repeat} -->"
    )
    print("| database | rows | operation | time (s) | peak memory (MB) |")
    print("|---|---:|---|---:|---:|")

    for count in args.rows:
        for label, seconds, memory in bench_size(count, args.repeat):
            print(f"| {vendor} | {count:,} | {label} | {seconds:.2f} | {memory:.0f} |", flush=True)
    # The whole process at its largest (the interpreter, Django, and every run above).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"<!-- peak resident memory of the whole benchmark process: {rss:.0f} MB -->")


def bench_size(count: int, repeat: int):
    """(operation, best time in seconds, peak memory in MB) for a plan of `count` actions."""
    from planfiles.exporter import plan_export
    from planfiles.format import read_plan_file, write_csv, write_xlsx
    from planfiles.importer import plan_import
    from priorities.models import Plan

    csv_data = write_csv(generate_rows(count))
    changed = write_csv(generate_rows(count, target="2021-12-31"))
    xlsx_data = write_xlsx(generate_rows(count))

    def do_import(data, kind, expect_created=None):
        def go():
            table = read_plan_file(data, kind=kind, filename=f"bench.{kind}")
            report = plan_import(table=table, create_missing=True)
            assert report.ok, report.errors[:3]
            if expect_created is not None:
                assert report.created == expect_created, report.summary()

        return go

    def fill():
        flush()
        do_import(csv_data, "csv")()

    def export(fmt):
        return lambda: plan_export(Plan.objects.get(), fmt)

    operations = [
        (f"import CSV ({len(csv_data) / 1024:.0f} KB) into an empty database",
         do_import(csv_data, "csv", count), flush),
        (f"import XLSX ({len(xlsx_data) / 1024:.0f} KB) into an empty database",
         do_import(xlsx_data, "xlsx", count), flush),
        ("re-import the same CSV (nothing changes)", do_import(csv_data, "csv", 0), fill),
        ("import CSV changing every action", do_import(changed, "csv", 0), fill),
        ("export CSV", export("csv"), None),
        ("export XLSX", export("xlsx"), None),
        ("export JSON", export("json"), None),
        ("export Word", export("docx"), None),
    ]  # fmt: skip
    fill()
    for label, function, before in operations:
        yield label, timed(function, repeat, before), peak_mb(function, before)


if __name__ == "__main__":
    main()
