"""django-simple-history for the partnership's coordinators, from either side of the relation.

The library records a change of a many-to-many field (`m2m_fields`) on the model that declares it,
but when the change is made from the other side (`user.coordinated_partnerships.add(partnership)`)
it tries to record it on the person, who has no history, and fails
(django-commons/django-simple-history#1048). Here it is recorded on each partnership concerned.
"""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords


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
