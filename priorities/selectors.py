"""Reading plans for a page: the partnerships and the plans a person may read."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch

from partners.models import Partnership
from priorities.models import Plan

PARTNERSHIPS_PER_PAGE = 25


def partnerships_with_plans(user: Any, *, search: str = "", page: Any = 1) -> Page[Partnership]:
    """One page of partnerships (by name; `search` narrows them), each with the plans this person
    may read as `visible_plans`, newest first. Three queries a page, however large the
    installation."""
    plans = Plan.objects.visible_to(user).order_by("-period_start")
    partnerships = Partnership.objects.order_by("name").prefetch_related(
        Prefetch("plans", queryset=plans, to_attr="visible_plans")
    )
    if search.strip():
        partnerships = partnerships.filter(name__icontains=search.strip())
    return Paginator(partnerships, PARTNERSHIPS_PER_PAGE).get_page(page)


def member_partnerships(user: Any, *, search: str = "", page: Any = 1) -> Page[Partnership]:
    """One page of the partnerships whose plans the person works on (every one, for an admin),
    by name (`search` narrows them), each with all its plans, newest first. Three queries a
    page, however many partnerships the installation holds."""
    partnerships = (
        Partnership.objects.for_member(user)
        .order_by("name")
        .prefetch_related(Prefetch("plans", queryset=Plan.objects.order_by("-period_start")))
    )
    if search.strip():
        partnerships = partnerships.filter(name__icontains=search.strip())
    return Paginator(partnerships, PARTNERSHIPS_PER_PAGE).get_page(page)
