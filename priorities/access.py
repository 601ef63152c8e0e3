"""Plans and priorities fetched for a person: 404 for what they may not see, 403 for what they
may not do (the rules are in partners/permissions.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from partners.permissions import check_access
from priorities.models import Plan, Priority


def plan_or_404(partnership_slug: str, period: str) -> Plan:
    """The plan at its address, whoever asks (public pages decide what to show)."""
    plan = Plan.objects.at(partnership_slug, period)
    if plan is None:
        raise Http404("No such plan.")
    return plan


def fetch_plan(user: Any, partnership_slug: str, period: str, *, perm: str | None = None) -> Plan:
    """A plan a member works on: members see it; `perm` is what they must be allowed to do."""
    plan = plan_or_404(partnership_slug, period)
    return check_access(user, plan, "priorities.use_workspace", perm)


def fetch_priority(user: Any, pk: int, *, perm: str | None = None) -> Priority:
    priority = get_object_or_404(Priority.objects.select_related("plan__partnership"), pk=pk)
    return check_access(user, priority, "priorities.use_workspace", perm)
