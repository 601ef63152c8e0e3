"""Serving settings: WhiteNoise serves the collected static files, STATIC_MANIFEST chooses the
hashed storage, CACHE_URL chooses the cache and refuses what it cannot use."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from csp_plan.settings import cache_from_url

ROOT = settings.BASE_DIR


def _settings_in_a_new_process(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CACHE_URL", "REDIS_URL"}}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'csp_plan.settings'); "
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "x" * 50} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_whitenoise_comes_right_after_the_security_middleware():
    security = settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert settings.MIDDLEWARE[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_the_hashed_static_files_only_when_static_manifest_is_set():
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    result = _settings_in_a_new_process(
        {"STATIC_MANIFEST": "true"}, "settings.STORAGES['staticfiles']['BACKEND']"
    )
    assert result.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.django_db
def test_whitenoise_serves_collected_static_files(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (ROOT / "static/css/site.css").read_bytes()
    assert "public" in response["Cache-Control"]


def test_the_cache_is_local_memory_unless_told_otherwise():
    assert settings.CACHES["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")


def test_an_unknown_cache_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must start with"):
        cache_from_url("memcached://127.0.0.1:11211")


def test_redis_is_refused_with_a_message_when_its_package_is_missing():
    try:
        import redis  # noqa: F401
    except ImportError:
        with pytest.raises(ImproperlyConfigured, match="pip install redis"):
            cache_from_url("redis://127.0.0.1:6379/0")
    else:
        config = cache_from_url("redis://127.0.0.1:6379/0")
        assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_start_up_fails_on_a_cache_url_it_cannot_use():
    result = _settings_in_a_new_process({"CACHE_URL": "memcached://x"}, "1")
    assert result.returncode != 0
    assert "CACHE_URL must start with" in result.stderr
