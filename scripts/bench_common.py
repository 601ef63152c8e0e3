"""What the benchmarks of plan files share: a throwaway database, timing and memory, names.

Imported by scripts/bench_import.py and scripts/bench_word_import.py (run from the project's
root, as `.venv/bin/python scripts/<name>.py`: this folder is then on the path).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENCIES = [
    "Lichfield District Council",
    "Staffordshire Police",
    "Staffordshire Fire and Rescue Service",
    "Staffordshire Probation Service",
    "Staffordshire County Council",
    "Bromford Housing Group",
    "Support Staffordshire",
    "Pathway",
    "Humankind",
]
THEMES = [
    "Early Intervention and Prevention",
    "Managing Perpetrators",
    "Supporting Victims and Witnesses",
    "Public Confidence",
]


def prepare_database(url: str) -> tuple[str, Callable[[], None]]:
    """The throwaway database's address, and how to remove it afterwards."""
    if not url:
        folder = tempfile.mkdtemp(prefix="csp-bench-")
        path = Path(folder) / "bench.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = urlunparse(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        connection = psycopg2.connect(admin)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}")), lambda: run(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def in_throwaway_database(url: str, run: Callable[[], None]) -> None:
    """Sets Django up on a throwaway database (`prepare_database(url)`), runs `run`, removes it."""
    database_url, drop = prepare_database(url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DEBUG"] = "false"  # no query log kept in memory
    os.environ["DJANGO_SETTINGS_MODULE"] = "csp_plan.settings"
    import django

    django.setup()
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        drop()


def migrate() -> tuple[str, str]:
    """Migrates the throwaway database; its vendor ("sqlite", "postgresql") and version."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("select version()" if vendor == "postgresql" else "select sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    return vendor, version


def flush() -> None:
    """Empties the database (before an import into an empty database)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def timed(function, repeat: int, before=None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(function, before=None) -> float:
    if before:
        before()
    tracemalloc.start()
    tracemalloc.reset_peak()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / (1024 * 1024)
