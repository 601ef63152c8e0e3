"""People's fixtures: the database task queue (what production runs), e-mail kept in memory, and
the worker run in the test's process."""

from __future__ import annotations

import io
import re
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _db_tasks_and_locmem_mail(settings: Any) -> None:
    settings.TASKS = DB_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://csp.example.gov.uk"


def run_worker() -> None:
    """What `manage.py db_worker` does with the queue: run every task waiting, then stop. (It
    checks its database connection between tasks, which would close the test's transaction on
    PostgreSQL: not here.)"""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO()
        )


def link_in(message: Any, path: str) -> str:
    """The address starting with SITE_URL + `path` in an e-mail's plain text."""
    found = re.search(rf"https://csp\.example\.gov\.uk({re.escape(path)}\S+)", message.body)
    assert found, message.body
    return found.group(1)


def outbox_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in message.to]
