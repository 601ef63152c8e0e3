"""TASKS_BACKEND chooses where background tasks queue; a value the settings cannot use stops the
start-up with a message."""

import importlib.util
import os
import subprocess
import sys

from django.conf import settings

SHOW = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"TASKS_BACKEND", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean | {"SECRET_KEY": "x" * 50} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_database_backend_is_the_default():
    result = _run({}, "shell", "--no-imports", "-c", SHOW)
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr


def test_the_immediate_backend_can_be_chosen():
    result = _run({"TASKS_BACKEND": "immediate"}, "shell", "--no-imports", "-c", SHOW)
    assert result.stdout.strip() == "django_tasks.backends.immediate.ImmediateBackend"


def test_an_unknown_backend_stops_the_start_up():
    result = _run({"TASKS_BACKEND": "celery"}, "check")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of db, immediate, rq (got 'celery')" in result.stderr


def test_redis_needs_its_package():
    result = _run({"TASKS_BACKEND": "rq"}, "shell", "--no-imports", "-c", SHOW)
    if importlib.util.find_spec("django_tasks_rq"):
        assert result.stdout.strip() == "django_tasks_rq.RQBackend"
    else:
        assert result.returncode != 0
        assert "TASKS_BACKEND=rq needs the django-tasks-rq package" in result.stderr
