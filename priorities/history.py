"""Who history records name as the author of a change made outside a request's own save()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.db.models import Model
from simple_history.models import HistoricalRecords

_UNSET = object()


@contextmanager
def recorded_as(user: Any) -> Iterator[None]:
    """Every history record written inside names `user` as the author, cascaded deletes
    included: the way django-simple-history's middleware names the person of a request."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", _UNSET)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is _UNSET:
            del context.request
        else:
            context.request = previous


def record_author(obj: Model, user: Any) -> None:
    """Name the person django-simple-history records for the next save or delete of `obj`."""
    obj._history_user = user  # type: ignore[attr-defined]  # simple-history's documented hook
