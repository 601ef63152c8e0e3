"""Two app servers, one database, one Redis: a plan published through one server is public at once
through the other, whose cached page is no longer served (docs/deployment.md, "Several app
servers"; lifecycle/public_cache.py, "generation" freshness).

Two gunicorn processes are started against this test's database (as tests/notifications/
test_worker.py reaches it: the PostgreSQL test database itself, or on SQLite a copy in a file) and
the Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/15), each with its own key prefix.
Needs Redis: skipped, saying so, when there is none, except under CI=true, where it fails.
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings

from actions.models import Action
from lifecycle.services import plan_amend
from priorities.models import Plan
from tests.notifications.test_worker import worker_database_url  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PLAN = "/plans/lichfield/2021-22/"
NEW_TEXT = "Publicity published through the first server"
WAIT_SECONDS = 60
PASSWORD = "demo-password-2021"


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI has Redis at {REDIS_URL}, but it did not answer: {exc}")
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL): {exc}")
    return REDIS_URL


@pytest.fixture
def key_prefix(redis_url: str) -> Iterator[str]:
    import redis

    prefix = f"two-servers-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_server(
    worker_database_url: str,  # noqa: F811 (the fixture imported above)
    redis_url: str,
    key_prefix: str,
    tmp_path: Path,
) -> Iterator[Callable[[str], str]]:
    """Start a gunicorn app server as production runs one; returns its address."""
    started: list[subprocess.Popen] = []

    def start(name: str) -> str:
        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DEBUG", "CACHE_URL", "REDIS_URL", "PUBLIC_CACHE_FRESHNESS"}
        } | {
            "DATABASE_URL": worker_database_url,
            "CACHE_URL": redis_url,
            "CACHE_KEY_PREFIX": key_prefix,
            "SECRET_KEY": "two-servers-test-not-secret",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TASKS_BACKEND": "db",
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        log_path = tmp_path / f"server-{name}.log"
        log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "csp_plan.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "-"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        address = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{address}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return address
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"Server {name} did not start:\n{log_path.read_text()}")

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


class Browser:
    """A visitor's browser: cookies kept, redirects followed."""

    def __init__(self, address: str):
        self.address = address
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.address + path, timeout=30) as response:
            assert response.status == 200, (path, response.status)
            return response.read().decode()

    def post(self, path: str, form_page: str, **fields: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(form_page))
        assert token, f"no form on {form_page}"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode()
        with self.opener.open(self.address + path, data=data, timeout=60) as response:
            assert response.status == 200, (path, response.status)
            return response.read().decode()


def words(page: str) -> str:
    """The page's text, without its tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


@pytest.fixture
def ready_to_publish_again(demo_plan, publish, django_user_model, settings) -> Plan:
    """Version 1 published; the draft revision changed and agreed, for the coordinator to publish
    as version 2."""
    coordinator = django_user_model.objects.get(username="coordinator")
    # The servers know the production hashers only (the tests' own is a fast, weak one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    coordinator.set_password(PASSWORD)
    coordinator.save()
    publish(demo_plan)
    plan_amend(plan=Plan.objects.get(pk=demo_plan.pk), user=coordinator)
    Action.objects.filter(description__startswith="Publicity").update(description=NEW_TEXT)
    Plan.objects.filter(pk=demo_plan.pk).update(status=Plan.Status.AGREED)
    return demo_plan


def test_a_plan_published_through_one_server_is_public_at_once_through_the_other(
    ready_to_publish_again: Plan, start_server: Callable[[str], str], key_prefix: str
) -> None:
    import redis

    first, second = start_server("first"), start_server("second")
    visitor = Browser(second)
    # Rendered once, then kept in the shared cache; each worker then knows the partnership's
    # token and no longer asks Redis for it (lifecycle/page_tokens.py).
    for _ in range(6):
        page = words(visitor.get(PLAN))
        assert "Version 1, published" in page
        assert NEW_TEXT not in page
    kept = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{key_prefix}:*:page:{PLAN}"))
    assert kept, "the second server kept no page in the shared cache"

    coordinator = Browser(first)
    home = coordinator.post(
        "/accounts/login/", "/accounts/login/", username="coordinator", password=PASSWORD
    )
    assert "Signed in as" in words(home), words(home)[:2000]
    done = coordinator.post(f"{PLAN}stage/publish/", f"{PLAN}readiness/")
    assert "The plan was published" in words(done), words(done)[:2000]
    assert Plan.objects.get(pk=ready_to_publish_again.pk).versions.count() == 2

    page = words(visitor.get(PLAN))  # at once: no waiting for the kept page to expire
    assert "Version 2, published" in page
    assert NEW_TEXT in page
    assert "Version 2, published" in words(Browser(first).get(PLAN))
