"""The partnerships' freshness tokens of "generation" freshness (lifecycle/public_cache.py), known
to each worker without asking the shared cache at every request.

A token per partnership is kept in the shared cache (Redis); whatever changes a partnership's
public pages replaces it and announces the partnership on a Redis channel (`announce`). Each worker
process subscribes to that channel once, and remembers the tokens it has read. Before using a
remembered token it reads what the channel has brought since, without waiting: the announcements
are already in its own socket, so this costs no round trip to Redis. A partnership announced is
forgotten, and its token read again from the cache.

Why "at once" still holds: Redis writes an announcement into every subscriber's socket in the same
turn of its loop as its answer to the PUBLISH, and the publishing server then waits for the answer
to a PING, which Redis gives only in a later turn: the announcement is in every worker's socket
before the request that changed anything has answered, let alone before a visitor's next request
reaches another server. The worker reads its socket at the start of that next request.

What keeps it safe when something goes wrong: a worker is subscribed (Redis has confirmed it)
before it remembers a token, so no announcement made after the token was read can be missed; a
remembered token is trusted for TRUST_SECONDS at most; and if the subscription fails or its
connection drops, the worker forgets every token and reads them from the cache at each request
until it has subscribed again. Without Redis (the local-memory cache) there is no channel, and no
token is remembered.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any

from django.core.cache import caches

# How long a remembered token is used before it is read again, whatever the channel says: a safety
# net for an announcement Redis could not deliver (a subscriber too slow, a change made by hand).
TRUST_SECONDS = 30.0
# How long a worker waits for Redis to confirm its subscription before doing without.
SUBSCRIBE_SECONDS = 2.0
# After the channel failed, how long a worker does without it before trying again.
RETRY_SECONDS = 5.0


def redis_client() -> Any:
    """The redis-py client of the default cache, on the cache's own connection pool, kept with
    the cache's per-thread instance; None when the cache is not Redis."""
    backend = caches["default"]
    redis_cache = getattr(backend, "_cache", None)
    if redis_cache is None or not hasattr(redis_cache, "get_client"):
        return None
    client = getattr(backend, "_public_cache_client", None)
    if client is None:
        client = redis_cache.get_client(write=True)
        backend._public_cache_client = client  # type: ignore[attr-defined]
    return client


def channel() -> str:
    """The channel, under the cache's key prefix: one installation's servers only."""
    return caches["default"].make_and_validate_key("public-plan:changes")


def announce(partnerships: list[str]) -> None:
    """Tell every worker of every server that these partnerships' tokens have been replaced."""
    client = redis_client()
    if client is not None and partnerships:
        client.publish(channel(), " ".join(partnerships))
        # Redis answers this only once it has written out everything of the PUBLISH, every
        # subscriber's copy included: the announcement is in their sockets before this request
        # can answer its visitor.
        client.ping()


class TokenFeed:
    """One worker process's remembered tokens, and its subscription to the channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._pubsub: Any = None
        self._retry_at = 0.0
        self._tokens: dict[str, tuple[str, float]] = {}

    def known(self, partnership: str) -> str | None:
        """The partnership's token, if this worker knows it to be current; None: read it."""
        with self._lock:
            if not self._listening():
                return None
            remembered = self._tokens.get(partnership)
            if remembered is None or remembered[1] <= time.monotonic():
                return None
            return remembered[0]

    def remember(self, partnership: str, token: str) -> None:
        """A token just read from the cache. Remembered only while subscribed: an announcement
        made since it was read is then in the socket, and the next `known` forgets it."""
        with self._lock:
            if self._pubsub is not None and self._pid == os.getpid():
                self._tokens[partnership] = (token, time.monotonic() + TRUST_SECONDS)

    def forget(self) -> None:
        """Forget every token and close the subscription (the tests, between two)."""
        with self._lock:
            self._drop()
            self._retry_at = 0.0

    def _listening(self) -> bool:
        """Subscribed, with everything announced so far read: True; False to do without."""
        if self._pid != os.getpid():  # a forked worker does not share its parent's socket
            self._pubsub, self._tokens, self._pid = None, {}, os.getpid()
        if self._pubsub is None and not self._subscribe():
            return False
        try:
            while True:
                message = self._pubsub.get_message(timeout=0.0)
                if message is None:
                    return True
                if message.get("type") == "message":
                    for name in _text(message["data"]).split():
                        self._tokens.pop(name, None)
        except Exception:  # the connection dropped: nothing remembered can be trusted now
            self._drop()
            return False

    def _subscribe(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        client = redis_client()
        if client is None:
            self._retry_at = float("inf")  # not Redis: there is no channel to wait for
            return False
        pubsub = None
        try:
            pubsub = client.pubsub()
            pubsub.subscribe(channel())
            deadline = time.monotonic() + SUBSCRIBE_SECONDS
            while time.monotonic() < deadline:
                message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
                if message is not None and message.get("type") == "subscribe":
                    self._pubsub = pubsub
                    return True
        except Exception:
            pass
        if pubsub is not None:
            _close(pubsub)
        self._retry_at = time.monotonic() + RETRY_SECONDS
        return False

    def _drop(self) -> None:
        self._tokens = {}
        if self._pubsub is not None:
            _close(self._pubsub)
        self._pubsub = None
        self._retry_at = time.monotonic() + RETRY_SECONDS


def _text(data: bytes | str) -> str:
    return data.decode() if isinstance(data, bytes) else data


def _close(pubsub: Any) -> None:
    with contextlib.suppress(Exception):  # already broken: nothing more to close
        pubsub.close()


FEED = TokenFeed()
