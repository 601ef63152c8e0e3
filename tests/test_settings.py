"""Settings come from the environment and fail at start-up, with a message, on bad values."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

ROOT = settings.BASE_DIR


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_fails_without_secret_key_when_debug_is_off():
    result = _check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_start_up_refuses_a_debug_value_it_cannot_read():
    result = _check({"DEBUG": "perhaps", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_start_up_works_with_a_secret_key():
    assert _check({"DEBUG": "false", "SECRET_KEY": "x" * 50}).returncode == 0


def test_british_english_and_london_time():
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"


@pytest.mark.parametrize(
    ("day", "shown"),
    [(datetime.date(2021, 5, 1), "1 May 2021"), (datetime.date(2022, 3, 31), "31 March 2022")],
)
def test_dates_are_shown_as_people_write_them(day, shown):
    with translation.override("en-gb"):
        assert Template("{{ day|date }}").render(Context({"day": day})) == shown


def test_deploy_checks_pass_with_production_settings():
    import secrets

    env = {
        "DEBUG": "false",
        "HTTPS": "true",
        "ALLOWED_HOSTS": "csp.example.gov.uk",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    # Nothing from the test run's own environment (e.g. the browser tests' async flag).
    ignored = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Single sign-on and two-step sign-in: off unless set, and refused at start-up when half set.
SSO_ENV = {"DEBUG": "false", "SECRET_KEY": "x" * 50}


def test_single_sign_on_needs_its_client_id_and_secret():
    result = _check(SSO_ENV | {"OIDC_ISSUER": "https://login.microsoftonline.com/t/v2.0"})
    assert result.returncode != 0
    assert "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too" in result.stderr


def test_single_sign_on_needs_an_https_issuer():
    result = _check(
        SSO_ENV
        | {
            "OIDC_ISSUER": "http://login.example.org",
            "OIDC_CLIENT_ID": "a",
            "OIDC_CLIENT_SECRET": "b",
        }
    )
    assert result.returncode != 0
    assert "OIDC_ISSUER must be the provider's https:// address" in result.stderr


def test_single_sign_on_starts_when_configured_without_asking_the_provider():
    # Nothing answers at this address: the provider is asked only when someone signs in with it.
    env = {
        "OIDC_ISSUER": "https://127.0.0.1:9/v2.0",
        "OIDC_CLIENT_ID": "a",
        "OIDC_CLIENT_SECRET": "b",
    }
    assert _check(SSO_ENV | env).returncode == 0


def test_two_factor_is_off_by_default_and_refuses_a_value_it_cannot_read():
    assert not settings.REQUIRE_TWO_FACTOR
    assert not settings.OIDC_ISSUER
    result = _check(SSO_ENV | {"REQUIRE_TWO_FACTOR": "admins,sometimes"})
    assert result.returncode != 0
    assert "REQUIRE_TWO_FACTOR must be empty, or one or more of admins" in result.stderr
    assert _check(SSO_ENV | {"REQUIRE_TWO_FACTOR": "Admins, coordinators"}).returncode == 0


def test_generation_freshness_needs_a_shared_cache():
    result = _check(
        {"DEBUG": "false", "SECRET_KEY": "x" * 50, "PUBLIC_CACHE_FRESHNESS": "generation"}
    )
    assert result.returncode != 0
    assert "needs a cache shared by every process" in result.stderr
    result = _check({"DEBUG": "false", "SECRET_KEY": "x" * 50, "PUBLIC_CACHE_FRESHNESS": "soon"})
    assert result.returncode != 0
    assert "PUBLIC_CACHE_FRESHNESS must be query or generation" in result.stderr


def test_a_redis_cache_url_gives_djangos_redis_cache_and_generation_freshness():
    from csp_plan.settings import cache_from_url

    assert cache_from_url("redis://127.0.0.1:6379/0") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
    show = (
        "from django.conf import settings; from lifecycle.public_cache import freshness; "
        "print(settings.CACHES['default']['BACKEND'], freshness())"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", show],
        cwd=ROOT,
        env=clean | {"DEBUG": "true", "CACHE_URL": "redis://127.0.0.1:6379/15"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The last line: Django 5.2's shell first says how many objects it imported.
    assert result.stdout.split()[-2:] == [
        "django.core.cache.backends.redis.RedisCache",
        "generation",
    ]
