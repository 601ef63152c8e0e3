"""django-simple-history: who a record names as the author, and coordinators from either side.

recorded_as() and record_author() name the person of a change made outside a request's own
save(). ForwardM2MHistory records the partnership's coordinators from either side of the relation.

The library records a change of a many-to-many field (`m2m_fields`) on the model that declares it,
but when the change is made from the other side (`user.coordinated_partnerships.add(partnership)`)
it tries to record it on the person, who has no history, and fails
(django-commons/django-simple-history#1048). Here it is recorded on each partnership concerned.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.db.models import Model
from simple_history.models import HistoricalRecords

_UNSET = object()


class ForwardM2MHistory(HistoricalRecords):
    def m2m_changed(
        self, instance: Any, action: str, attr: str, pk_set: Any, reverse: bool, **kwargs: Any
    ) -> None:
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        model = kwargs["model"]  # the declaring model: Partnership
        if action == "pre_clear":
            # The links are gone by post_clear: note whose they were.
            instance._history_cleared = list(model.objects.filter(**{attr: instance}))
            return
        if action in ("post_add", "post_remove"):
            changed = list(model.objects.filter(pk__in=pk_set or ()))
        elif action == "post_clear":
            changed = getattr(instance, "_history_cleared", [])
        else:
            return
        for obj in changed:
            if hasattr(instance, "_history_user"):
                obj._history_user = instance._history_user
            super().m2m_changed(obj, action, attr, pk_set, False, **kwargs)


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


@contextmanager
def history_paused(obj: Model) -> Iterator[None]:
    """Saves of `obj` inside write no history record (django-simple-history's documented flag)."""
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]
