"""Actions fetched for a person: 404 for what they may not see, 403 for what they may not do
(the rules are in partners/permissions.py)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from actions.models import Action
from partners.permissions import check_access


def fetch_action(user: Any, pk: int, *, perm: str | None = None) -> Action:
    action = get_object_or_404(
        Action.objects.select_related(
            "priority__plan__partnership", "theme", "lead_agency", "created_by", "updated_by"
        ).prefetch_related("supporting_agencies"),
        pk=pk,
    )
    return check_access(user, action, "actions.view_action", perm)
