"""Reading plans for a page: the partnerships and the plans a person may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.utils.formats import date_format

from partners.models import Partnership
from priorities.models import Plan

# Partnerships on a page of home and My plan work (each with its plans); the search box finds the
# rest. A page takes about as long with a whole country as with one partnership.
PARTNERSHIPS_PER_PAGE = 10


# What a line of the home page's list needs of a plan (its long texts are not read).
PLAN_LINE_FIELDS = (
    "pk", "partnership_id", "title", "period_start", "period_end", "deadline", "status",
    "last_published_at",
)  # fmt: skip


@dataclass(frozen=True)
class PlanLine:
    """A plan as a line of the home page's list: its link, and what stage it is at."""

    url: str
    title: str
    note: str


def plan_line(plan: Plan, *, signed_in: bool) -> PlanLine:
    if plan.has_published_version:
        stage = "published"
        if signed_in and not plan.is_published:
            stage += f"; a new revision is at the {plan.get_status_display().lower()} stage"
    else:
        stage = plan.get_status_display().lower()
        if plan.deadline:
            stage += f", due {date_format(plan.deadline)}"
    return PlanLine(plan.get_absolute_url(), plan.title, f"{plan.period}, {stage}")


def partnerships_with_plans(user: Any, *, search: str = "", page: Any = 1) -> Page[Partnership]:
    """One page of partnerships (by name; `search` narrows them), each with the plans this person
    may read as `plan_lines` (PlanLine), newest first. Three queries a page, however large the
    installation; the lines are made here rather than in the template, which would take a few
    times as long for a page of 25 partnerships."""
    plans = Plan.objects.visible_to(user).only(*PLAN_LINE_FIELDS).order_by("-period_start")
    partnerships = Partnership.objects.order_by("name").prefetch_related(
        Prefetch("plans", queryset=plans, to_attr="visible_plans")
    )
    if search.strip():
        partnerships = partnerships.filter(name__icontains=search.strip())
    found = Paginator(partnerships, PARTNERSHIPS_PER_PAGE).get_page(page)
    signed_in = bool(user.is_authenticated)
    for partnership in found:
        partnership.plan_lines = [
            plan_line(plan, signed_in=signed_in) for plan in partnership.visible_plans
        ]
    return found


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
