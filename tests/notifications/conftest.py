"""Notifications' fixtures: the database task backend (what production runs), e-mail kept in
memory, and helpers to see what was queued."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from notifications.models import Kind
from notifications.services import notify
from tests.factories import UserFactory

TASK_PATH = "notifications.tasks.send_notification_email"
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE_BACKEND = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _db_tasks_and_locmem_mail(settings: Any) -> None:
    settings.TASKS = DB_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://csp.example.gov.uk"


@pytest.fixture
def queued() -> Callable[[], list[int]]:
    """The notification ids whose e-mails wait in the database queue, ready or deferred."""

    def ids() -> list[int]:
        return [
            result.args_kwargs["args"][0]
            for result in DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY")
        ]

    return ids


@pytest.fixture
def alice(db: None) -> Any:
    return UserFactory(username="alice")


@pytest.fixture
def bob(db: None) -> Any:
    return UserFactory(username="bob")


@pytest.fixture
def tell(django_capture_on_commit_callbacks: Any) -> Callable[..., list[Any]]:
    """notify() as a page would call it, with its transaction committed (the tests' own
    transaction never commits, so the on-commit callbacks are run here)."""

    def do(recipients: list[Any], **kwargs: Any) -> list[Any]:
        values: dict[str, Any] = {
            "kind": Kind.SENT_FOR_AGREEMENT,
            "key": "plan-1-round-1",
            "subject": "Lichfield 2021-22: your agency's agreement is awaited",
            "body": "The coordinator sent the plan for agreement.",
            "url": "/plans/lichfield/2021-22/agreement/",
            "why": "you speak for Staffordshire Police in the Lichfield partnership",
        } | kwargs
        with django_capture_on_commit_callbacks(execute=True):
            return notify(recipients=recipients, **values)

    return do
