"""A worker knows the partnerships' freshness tokens without asking Redis at every request, and is
told at once when one is replaced (lifecycle/page_tokens.py).

Needs Redis, as tests/lifecycle/test_two_servers.py does: skipped without it, except under CI.
"""

from __future__ import annotations

import uuid

import pytest
import redis

from lifecycle import page_tokens, public_cache
from tests.lifecycle.test_two_servers import REDIS_URL, redis_url  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

PATH = "/plans/lichfield/2021-22/"


@pytest.fixture
def redis_cache(settings, redis_url):  # noqa: F811 (the fixture imported above)
    prefix = f"page-tokens-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.PUBLIC_CACHE_FRESHNESS = ""
    page_tokens.FEED.forget()
    yield prefix
    page_tokens.FEED.forget()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The tokens read from Redis, one per round trip."""
    done: list[str] = []
    read = public_cache._read_token

    def counted(key):
        done.append(key)
        return read(key)

    monkeypatch.setattr(public_cache, "_read_token", counted)
    return done


def token() -> str | None:
    found, _entry = public_cache.lookup(PATH, "lichfield", "2021-22", None)
    return found


def test_a_known_token_is_used_without_asking_redis(redis_cache, reads):
    first = token()
    assert first is not None
    assert [token() for _ in range(5)] == [first] * 5
    assert len(reads) == 1
    assert public_cache.freshness() == "generation"


def test_a_replaced_token_is_used_by_the_very_next_request(
    redis_cache, reads, django_capture_on_commit_callbacks
):
    first = token()
    with django_capture_on_commit_callbacks(execute=True):  # replaced and announced on commit
        public_cache.pages_changed(["lichfield"])
    second = token()
    assert second is not None and second != first
    assert len(reads) == 2
    assert token() == second
    assert len(reads) == 2


def test_another_servers_announcement_is_heard(redis_cache, reads):
    """A change made through another server: the token replaced in Redis, the partnership
    announced on the channel by another connection."""
    first = token()
    other = redis.Redis.from_url(REDIS_URL)
    key = public_cache.caches["default"].make_and_validate_key(
        public_cache.generation_key("lichfield")
    )
    other.delete(key)
    other.publish(page_tokens.channel(), "kingsmoor lichfield")
    other.ping()
    second = token()
    assert second is not None and second != first


def test_an_announcement_of_another_partnership_leaves_this_one_known(
    redis_cache, reads, django_capture_on_commit_callbacks
):
    token()
    with django_capture_on_commit_callbacks(execute=True):
        public_cache.pages_changed(["kingsmoor-demo"])
    token()
    assert len(reads) == 1


def test_a_dropped_subscription_forgets_every_token_and_subscribes_again(
    redis_cache, reads, monkeypatch
):
    first = token()
    killed = redis.Redis.from_url(REDIS_URL).client_kill_filter(_type="pubsub", skipme=True)
    assert killed >= 1
    monkeypatch.setattr(page_tokens, "RETRY_SECONDS", 0.0)
    assert token() == first  # read again: nothing remembered is trusted after a drop
    assert len(reads) == 2
    token()  # subscribed again, the token remembered again
    token()
    assert len(reads) == 3


def test_without_a_subscription_every_request_asks_redis(redis_cache, reads, monkeypatch):
    def refused(*args, **kwargs):
        raise redis.ConnectionError("refused for the test")

    monkeypatch.setattr(redis.client.PubSub, "subscribe", refused)
    first = token()
    assert [token() for _ in range(3)] == [first] * 3
    assert len(reads) == 4


def test_a_known_token_is_trusted_for_a_while_only(redis_cache, reads, monkeypatch):
    monkeypatch.setattr(page_tokens, "TRUST_SECONDS", 0.0)
    token()
    token()
    assert len(reads) == 2


def test_the_local_memory_cache_has_no_channel(settings, reads):
    settings.PUBLIC_CACHE_FRESHNESS = ""
    assert page_tokens.redis_client() is None
    assert page_tokens.FEED.known("lichfield") is None
    page_tokens.announce(["lichfield"])  # nothing to tell, and no error
