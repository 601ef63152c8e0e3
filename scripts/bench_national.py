#!/usr/bin/env python
"""The same pages in a small installation and a whole country's: query counts, median times and
what PostgreSQL's planner does with each page's queries (a measurement, not a test).

    .venv/bin/python scripts/generate_national.py --demo-only \\
        --database-url postgres://postgres@127.0.0.1:5432/csp_plan_demo
    .venv/bin/python scripts/generate_national.py       # csp_plan_national, 300 × 5 × 60
    .venv/bin/python scripts/bench_national.py          # compares the two

Both databases hold the demo (Lichfield 2021-22, published) and the same Lichfield 2022-23 draft
(scripts/generate_national.py); the national one also holds the generated country. Each page is
requested as the person named, with Django's test Client in one process per database (DEBUG
off, the public page cache off so that pages are drawn); the two databases are measured in
turns (--turns), each turn --rounds requests per page in a rotating order, and the medians are
over all turns. A page's query count is counted once, after two warm-up requests.

With --explain (the default), every SELECT a page runs in the national database is run again
under EXPLAIN, and each sequential scan of a large table (at least --large rows, by the
planner's statistics) is reported with the page that caused it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432/"
PLAN = "/plans/lichfield/2021-22/"
DRAFT = "/plans/lichfield/2022-23/"

# (who, what, address). Who: a demo user, or "anonymous".
PAGES = [
    ("anonymous", "home", "/"),
    ("anonymous", "home, search", "/?q=lichfield"),
    ("anonymous", "public plan", PLAN),
    ("anonymous", "versions", f"{PLAN}versions/"),
    ("coordinator", "home", "/"),
    ("coordinator", "My plan work", "/my-work/"),
    ("coordinator", "workspace (draft, 60 actions)", f"{DRAFT}workspace/"),
    ("coordinator", "draft plan page", DRAFT),
    ("coordinator", "readiness", f"{DRAFT}readiness/"),
    ("coordinator", "dashboard", f"{PLAN}dashboard/"),
    ("coordinator", "my updates due", "/my-updates-due/"),
    ("coordinator", "members", "/partnerships/lichfield/members/"),
    ("police.officer", "home", "/"),
    ("police.officer", "My plan work", "/my-work/"),
    ("admin", "home", "/"),
    ("admin", "My plan work", "/my-work/"),
    ("admin", "admin index", "/admin/"),
    ("admin", "admin: actions", "/admin/actions/action/"),
    ("admin", "admin: actions of a partnership", "/admin/actions/action/?partnership=lichfield"),
    ("admin", "admin: outcomes", "/admin/actions/outcome/"),
    ("admin", "admin: plans", "/admin/priorities/plan/"),
    ("admin", "admin: priorities", "/admin/priorities/priority/"),
    ("admin", "admin: agencies", "/admin/partners/agency/"),
    ("admin", "admin: partnerships", "/admin/partners/partnership/"),
    ("admin", "admin: themes", "/admin/priorities/theme/"),
    ("admin", "admin: published versions", "/admin/lifecycle/publishedversion/"),
    ("admin", "admin: users", "/admin/auth/user/"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", default=SERVER + "csp_plan_demo", help="the small database")
    parser.add_argument("--national", default=SERVER + "csp_plan_national")
    parser.add_argument("--turns", type=int, default=3, help="turns per database")
    parser.add_argument("--rounds", type=int, default=5, help="requests per page in a turn")
    parser.add_argument("--large", type=int, default=10_000, help="a large table's rows")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # a database URL: measure it
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# -- The worker: one database, one process.


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["PUBLIC_CACHE_SECONDS"] = "0"  # draw the public pages, not the cache's copy
    os.environ["DJANGO_SETTINGS_MODULE"] = "csp_plan.settings"
    import django

    django.setup()


def clients() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    found = {"anonymous": Client()}
    for who in {who for who, _, _ in PAGES} - {"anonymous"}:
        found[who] = Client()
        found[who].force_login(get_user_model().objects.get(username=who))
    return found


def large_tables(threshold: int) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s", [threshold]
        )
        return {row[0] for row in cursor.fetchall()}


def seq_scans(sql: str, large: set[str]) -> list[tuple[str, int]]:
    """The sequential scans of large tables in the plan PostgreSQL makes for `sql`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    found = []

    def walk(node: dict) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in large:
            found.append((node["Relation Name"], int(node.get("Plan Rows", 0))))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def work(url: str, rounds: int, explain: bool, threshold: int, out: str) -> None:
    setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = clients()
    large = large_tables(threshold) if explain else set()
    result: dict[str, dict] = {}
    for who, what, address in PAGES:
        client = people[who]
        for _ in range(2):
            client.get(address)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        entry = {
            "status": response.status_code,
            "queries": len(queries),
            "bytes": len(response.content),
            "times": [],
            "cpu": [],
            "scans": [],
        }
        if explain:
            for query in queries.captured_queries:
                sql = query["sql"]
                if sql.lstrip().upper().startswith("SELECT"):
                    for table, rows in seq_scans(sql, large):
                        entry["scans"].append([table, rows, sql[:300]])
        result[f"{who}|{what}"] = entry
    for n in range(rounds):
        order = PAGES[n % len(PAGES) :] + PAGES[: n % len(PAGES)]
        for who, what, address in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            people[who].get(address)
            result[f"{who}|{what}"]["times"].append(time.perf_counter() - start)
            result[f"{who}|{what}"]["cpu"].append(time.process_time() - start_cpu)
    Path(out).write_text(json.dumps(result))


# -- The conductor: turns between the databases, then the table.


def run_worker(url: str, rounds: int, explain: bool, threshold: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, __file__, "--worker", url, "--out", out, "--rounds", str(rounds)]
    command += ["--large", str(threshold)] + (["--explain"] if explain else [])
    subprocess.run(command, check=True)
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    return data


def merge(into: dict, data: dict) -> dict:
    if not into:
        return data
    for key, entry in data.items():
        into[key]["times"] += entry["times"]
        into[key]["cpu"] += entry["cpu"]
    return into


def report(demo: dict, national: dict, args: argparse.Namespace) -> None:
    print(
        f"<!-- {datetime.date.today()}: Python {platform.python_version()}, {os.cpu_count()} "
        f"CPUs, load average {os.getloadavg()[0]:.1f}; {args.turns} turns of {args.rounds} "
        "rounds per database -->"
    )
    print(
        "| who | page | queries (demo) | queries (national) | median ms (demo) | "
        "median ms (national) | × | CPU × | KB (national) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for who, what, _ in PAGES:
        key = f"{who}|{what}"
        small, big = demo[key], national[key]
        wall = statistics.median(small["times"]), statistics.median(big["times"])
        cpu = statistics.median(small["cpu"]), statistics.median(big["cpu"])
        flag = (
            ""
            if small["status"] == big["status"] == 200
            else f" ({small['status']}/{big['status']})"
        )
        print(
            f"| {who} | {what}{flag} | {small['queries']} | {big['queries']} | "
            f"{wall[0] * 1000:.1f} | {wall[1] * 1000:.1f} | {wall[1] / wall[0]:.2f} | "
            f"{cpu[1] / cpu[0]:.2f} | {big['bytes'] / 1024:.0f} |"
        )
    if args.no_explain:
        return
    print()
    print(f"Sequential scans of tables of {args.large:,} rows or more (national database):")
    print()
    any_scan = False
    for who, what, _ in PAGES:
        for table, rows, sql in national[f"{who}|{what}"]["scans"]:
            any_scan = True
            print(f"- {who}, {what}: `{table}` (~{rows:,} rows) in `{sql[:160]}…`")
    if not any_scan:
        print("- none")


def main() -> None:
    args = parse_args()
    if args.worker:
        work(args.worker, args.rounds, args.explain, args.large, args.out)
        return
    demo: dict = {}
    national: dict = {}
    for turn in range(args.turns):
        explain = turn == 0 and not args.no_explain
        print(f"turn {turn + 1} of {args.turns}", file=sys.stderr, flush=True)
        demo = merge(demo, run_worker(args.demo, args.rounds, False, args.large))
        national = merge(national, run_worker(args.national, args.rounds, explain, args.large))
    report(demo, national, args)


if __name__ == "__main__":
    main()
