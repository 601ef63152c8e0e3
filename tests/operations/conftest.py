"""The demo site served by a real app server (gunicorn), for the tests of many people at once
(test_concurrent_saves.py, test_concurrent_confirms.py): one site for the session, built once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _postgres_url(name: str) -> str | None:
    """A throwaway PostgreSQL database, or None when no server answers."""
    base = os.environ.get("CONCURRENCY_PG", "postgres://postgres@127.0.0.1:5432")
    try:
        import psycopg2

        connection = psycopg2.connect(f"{base}/postgres", connect_timeout=3)
    except Exception:
        return None
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{base}/{name}"


# The suite's own database engine: each of CI's two runs serves the site from its own.
ENGINE = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


@pytest.fixture(params=[ENGINE], scope="session")
def server(request, tmp_path_factory) -> Iterator[str]:
    """The demo site served by gunicorn (4 processes × 5 threads); yields its address. One for
    the session: each test that uses it works on rows of its own (an action, an import)."""
    tmp_path = tmp_path_factory.mktemp("site")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    else:
        database_url = _postgres_url(f"csp_concurrency_{worker}")
        if database_url is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("Under CI this test needs PostgreSQL on 127.0.0.1:5432.")
            pytest.skip("No PostgreSQL server on 127.0.0.1:5432.")
    env = os.environ | {
        "DATABASE_URL": database_url,
        "DEBUG": "true",  # load_demo's users; nothing else here depends on it
        "SECRET_KEY": "concurrency-test-only",
        "CACHE_URL": "dummy://",
        "PYTHONUNBUFFERED": "1",
    }
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_demo")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "csp_plan.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "5",
            "--timeout",
            "60",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=10)
                break
            except OSError:  # refused, reset or timed out while gunicorn starts
                if process.poll() is not None:
                    pytest.fail(f"gunicorn stopped: {process.stderr.read()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
