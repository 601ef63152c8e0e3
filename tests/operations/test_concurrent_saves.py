"""Many people saving at once, against a real app server: gunicorn with several worker processes
(each with its own database connection), on the database the suite runs on: SQLite (the embedded
default) or PostgreSQL (DATABASE_URL=postgres://…; CI runs the suite on both).

Twenty people who opened the same action save it at the same moment: exactly one save is
accepted (302) and every other is told someone saved first (409). None gets a server error,
which on SQLite used to be "database is locked" (the settings now begin every transaction with
the write lock, and wait for it).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings

PEOPLE = 20
PASSWORD = "demo-password-2021"
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


@pytest.fixture(params=[ENGINE])
def server(request, tmp_path) -> Iterator[str]:
    """The demo site served by gunicorn (4 processes × 5 threads); yields its address."""
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


class Person:
    """A signed-in browser without the browser: cookies, the CSRF token, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def sign_in(self, username: str) -> None:
        _, page = self.request("/accounts/login/")
        status, _ = self.request(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(page)},
        )
        assert status == 302, f"{username} could not sign in ({status})"


def _form_fields(page: str) -> dict[str, list[str]]:
    """The edit form's fields as the browser would send them (inputs, textareas, selects)."""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind[1] in ("checkbox", "radio") and "checked" not in tag:
            continue
        fields.setdefault(name[1], []).append(value[1] if value else "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[name] = [text.strip()]
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = chosen or [""]
    return {
        name: [value.replace("&amp;", "&") for value in values] for name, values in fields.items()
    }


def test_twenty_people_saving_one_action_at_once_one_wins_and_none_fails(server):
    coordinator = Person(server)
    coordinator.sign_in("coordinator")
    _, workspace = coordinator.request("/plans/lichfield/2021-22/workspace/")
    action_id = re.search(r'href="/actions/(\d+)/"', workspace)[1]
    edit = f"/actions/{action_id}/edit/"
    people = []
    forms = []
    for number in range(PEOPLE):
        person = Person(server)
        person.sign_in("coordinator")
        _, page = person.request(edit)
        fields = _form_fields(page)
        fields["description"] = [f"Saved by person {number}"]
        people.append(person)
        forms.append(fields)
    statuses: list[int] = [0] * PEOPLE
    start = threading.Barrier(PEOPLE)

    def save(number: int) -> None:
        start.wait()
        statuses[number] = people[number].request(edit, forms[number])[0]

    threads = [threading.Thread(target=save, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses).count(302) == 1, statuses
    assert statuses.count(409) == PEOPLE - 1, statuses
    _, page = coordinator.request(f"/actions/{action_id}/")
    winner = statuses.index(302)
    assert f"Saved by person {winner}" in page
