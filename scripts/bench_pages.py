#!/usr/bin/env python
"""Big plans beside the Django admin: the workspace and the draft plan page of a 500-action plan
against the admin's action list of 100 rows (a measurement, not a test).

    .venv/bin/python scripts/bench_pages.py                 # 500 actions, 30 rounds
    .venv/bin/python scripts/bench_pages.py --actions 1000 --rounds 50

One process, DEBUG off, a throwaway SQLite file: the demo (Lichfield 2021-22 and its users), then a
second Lichfield plan (2022-23, a draft) of --actions actions built with `bulk_create`
(scripts/plan_data.py). Django's test Client requests, in each round and in a rotating order:

- the workspace of the big plan, as the coordinator (every action movable: the most to draw);
- the draft plan page of the big plan, as the coordinator;
- the admin's action list (/admin/actions/action/: 100 rows a page), as the admin;
- the draft plan page again, with the cache emptied just before: the first view after a change,
  before its sections are kept (see lifecycle/snapshot.py, `Section.key`).

Pages are warmed up first (templates compiled, caches filled); each timed request is a whole
request through the middleware (session saved, as every signed-in request does). Prints each
page's query count, HTML size, median time and the ratio to the admin's list, which the target
wants at 1.0 or below: wall-clock time, and the process's CPU time (SQLite runs in the process,
so its work is counted; time spent waiting for a CPU another program holds is not, which keeps
the CPU figures steadier on a busy machine).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=500, help="actions in the big plan")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    return parser.parse_args()


def setup_django(folder: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DEBUG"] = "false"  # no query log kept in memory, templates cached
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "csp_plan.settings"
    import django

    django.setup()


def build(actions: int):
    """The demo, and a draft plan of `actions` actions in the demo partnership."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from plan_data import build_plan

    from operations.demo import demo_load_plan, demo_load_users

    call_command("migrate", verbosity=0)
    demo = demo_load_plan()
    demo_load_users()
    big = build_plan(
        partnership=demo.partnership,
        start_year=2022,
        actions=actions,
        rng=random.Random(2022),
        title="Generated plan",
    )
    users = get_user_model().objects
    return big, users.get(username="coordinator"), users.get(username="admin")


def queries_and_size(client, url: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), len(response.content)


def stock_admin_list() -> None:
    """The yardstick is the Django admin's action list as Django ships it: 100 rows a page, each
    row's checkbox drawn by Django (the site's own list shows 25 rows, its checkboxes written
    directly: partners/admin_paging.py, GrowingListAdmin)."""
    import types

    from django.contrib import admin

    from actions.models import Action

    action_admin = admin.site._registry[Action]
    action_admin.list_per_page = 100  # type: ignore[misc]
    action_admin.action_checkbox = types.MethodType(  # type: ignore[method-assign]
        admin.ModelAdmin.action_checkbox, action_admin
    )


def main() -> None:
    args = parse_args()
    folder = tempfile.mkdtemp(prefix="csp-bench-pages-")
    setup_django(folder)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    big, coordinator, admin = build(args.actions)
    stock_admin_list()
    as_coordinator, as_admin = Client(), Client()
    as_coordinator.force_login(coordinator)
    as_admin.force_login(admin)
    pages = [
        (f"workspace, {args.actions} actions", as_coordinator, big.get_workspace_url()),
        (f"draft plan page, {args.actions} actions", as_coordinator, big.get_absolute_url()),
        ("admin action list, 100 rows", as_admin, "/admin/actions/action/"),
        # The draft plan page keeps each priority's section under a digest of what it shows
        # (lifecycle/snapshot.py, Section.key): the first view after a change draws them anew.
        (f"draft plan page, {args.actions} actions, cache emptied first", as_coordinator,
         big.get_absolute_url()),
    ]  # fmt: skip
    cold = pages[3][0]
    facts = {label: queries_and_size(client, url) for label, client, url in pages}
    for _ in range(args.warmup):
        for _, client, url in pages:
            client.get(url)
    times: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    for n in range(args.rounds):
        # Interleaved, each page first in turn: drift in the machine's load hits all alike.
        for label, client, url in pages[n % 4 :] + pages[: n % 4]:
            if label == cold:
                cache.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[label].append(time.perf_counter() - start)
            cpu[label].append(time.process_time() - start_cpu)
            assert response.status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()")
        sqlite = cursor.fetchone()[0]
    print(
        f"<!-- {datetime.date.today()}: Python {platform.python_version()}, Django "
        f"{__import__('django').get_version()}, SQLite {sqlite}, {os.cpu_count()} CPUs, load "
        f"average {os.getloadavg()[0]:.1f}; {args.rounds} interleaved rounds -->"
    )
    admin = pages[2][0]
    admin_median, admin_cpu = statistics.median(times[admin]), statistics.median(cpu[admin])
    print("| page | queries | HTML (KB) | median (ms) | ÷ admin list | CPU median (ms) | ÷ admin |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, _, _ in pages:
        median, median_cpu = statistics.median(times[label]), statistics.median(cpu[label])
        count, size = facts[label]
        print(
            f"| {label} | {count} | {size / 1024:.0f} | {median * 1000:.1f} | "
            f"{median / admin_median:.2f} | {median_cpu * 1000:.1f} | "
            f"{median_cpu / admin_cpu:.2f} |"
        )


if __name__ == "__main__":
    main()
