"""The worker as production runs it: `manage.py db_worker` in a process of its own, reading the
queue from the database and sending through a file e-mail backend. Killing and restarting it
never sends an e-mail twice.

How the worker reaches the test's database: these tests are transactional (their rows are
committed, so another process sees them). On PostgreSQL the worker is pointed at the test
database itself. On SQLite the test database lives in this process's memory, which no other
process can open: it is copied to a file (as Django does for test processes it starts by
"spawn"), and this process uses the copy for the test too.

Never skipped: it needs nothing beyond the project (it runs in CI on SQLite and PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django_tasks_db.models import DBTaskResult

from notifications.models import EmailStatus, Kind, Notification
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


@pytest.fixture
def worker_database_url(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL at which another process sees this test's database."""
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else ""
        user = quote(config["USER"], safe="")
        host = config["HOST"] or "127.0.0.1"
        port = config["PORT"] or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"
        return
    assert connection.vendor == "sqlite"
    if not SQLiteCreation.is_in_memory_db(config["NAME"]):
        yield f"sqlite:///{config['NAME']}"
        return
    copy = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    in_memory, name = connection.connection, config["NAME"]
    connection.connection = None  # the next query opens the copy
    config["NAME"] = str(copy)
    try:
        yield f"sqlite:///{copy}"
    finally:
        connection.close()
        config["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def start_worker(
    worker_database_url: str, outbox: Path, tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(name: str, **extra_env: str) -> subprocess.Popen:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DEBUG", "TASKS_BACKEND", "EMAIL_BACKEND"}
        } | {
            "DATABASE_URL": worker_database_url,
            "SECRET_KEY": "worker-test-not-secret",
            "TASKS_BACKEND": "db",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(outbox),
            "SITE_URL": "https://csp.example.gov.uk",
            **extra_env,
        }
        log = open(tmp_path / f"worker-{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
                "--worker-id",
                name,
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = tmp_path / f"worker-{name}.log"  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], *, worker: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            break
        time.sleep(0.1)
    log = Path(worker.log_path).read_text()  # type: ignore[attr-defined]
    pytest.fail(f"Waited in vain for {what}. The worker said:\n{log}")


def status(notification: Notification) -> str:
    return Notification.objects.values_list("email_status", flat=True).get(pk=notification.pk)


def delivered(outbox: Path) -> list[str]:
    """The subject of every e-mail in the file backend's folder."""
    return [
        line.removeprefix("Subject: ")
        for path in sorted(outbox.iterdir())
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    ]


def tell(user: Any, number: int) -> Notification:
    (notification,) = notify(
        kind=Kind.SENT_FOR_AGREEMENT,
        recipients=[user],
        key=f"plan-1-round-{number}",
        subject=f"Round {number}: your agency's agreement is awaited",
        body="The coordinator sent the plan for agreement.",
        url="/plans/lichfield/2021-22/agreement/",
        why="you speak for Staffordshire Police in the Lichfield partnership",
    )
    return notification


def test_the_worker_sends_a_queued_email_and_a_restarted_worker_sends_nothing_twice(
    start_worker: Callable[..., subprocess.Popen], outbox: Path
) -> None:
    alice = UserFactory(username="alice")
    first = start_worker("first")

    one = tell(alice, 1)
    wait_until(lambda: status(one) == EmailStatus.SENT, worker=first, what="the first e-mail")
    assert delivered(outbox) == ["Round 1: your agency's agreement is awaited"]
    text = "".join(path.read_text() for path in outbox.iterdir())
    assert "To: alice@example.gov.uk" in text
    assert "https://csp.example.gov.uk/plans/lichfield/2021-22/agreement/" in text

    first.kill()  # no goodbye: as a server losing power
    first.wait(timeout=30)
    second = start_worker("second")
    two = tell(alice, 2)
    wait_until(lambda: status(two) == EmailStatus.SENT, worker=second, what="the second e-mail")

    assert sorted(delivered(outbox)) == [
        "Round 1: your agency's agreement is awaited",
        "Round 2: your agency's agreement is awaited",
    ]
    assert Notification.objects.get(pk=one.pk).attempts == 1


def test_a_worker_killed_while_sending_never_sends_that_email_again(
    start_worker: Callable[..., subprocess.Popen], outbox: Path, tmp_path: Path
) -> None:
    alice = UserFactory(username="alice")
    marker = tmp_path / "sending"
    stuck = start_worker(
        "stuck",
        EMAIL_BACKEND="tests.notifications.slow_backend.EmailBackend",
        SLOW_EMAIL_MARKER=str(marker),
    )
    one = tell(alice, 1)
    wait_until(marker.exists, worker=stuck, what="the worker to start sending")
    stuck.send_signal(signal.SIGKILL)  # mid-send
    stuck.wait(timeout=30)
    assert status(one) == EmailStatus.SENDING

    restarted = start_worker("restarted")
    two = tell(alice, 2)
    wait_until(lambda: status(two) == EmailStatus.SENT, worker=restarted, what="the next e-mail")

    # At most once: the interrupted e-mail may or may not have left; it is not sent again, and it
    # stays "sending" for the admin to see.
    assert delivered(outbox) == ["Round 2: your agency's agreement is awaited"]
    assert status(one) == EmailStatus.SENDING
    task = DBTaskResult.objects.get(args_kwargs__args=[one.pk])
    assert task.status == "RUNNING"
