"""Reading plans for a page: the partnerships and the plans a person may read."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format

from partners.models import Partnership
from priorities.models import Plan, period_label

# Partnerships on a page of home and My plan work (each with its plans); the search box finds the
# rest. A page takes about as long with a whole country as with one partnership.
PARTNERSHIPS_PER_PAGE = 10


# What a line of the home page's list needs of a plan (its long texts are not read).
PLAN_LINE_FIELDS = (
    "partnership_id", "title", "period_start", "period_end", "deadline", "status",
    "last_published_at",
)  # fmt: skip


@dataclass(frozen=True)
class PlanLine:
    """A plan as a line of the home page's list: its link, and what stage it is at."""

    url: str
    title: str
    note: str


def plan_line(partnership: str, plan: Any, *, signed_in: bool) -> PlanLine:
    """The line of a plan, from a row of its PLAN_LINE_FIELDS, under its partnership's address:
    what Plan's own properties would say, without making the plan."""
    stage_name = Plan.Status(plan.status).label.lower()
    if plan.last_published_at is not None:  # Plan.has_published_version
        stage = "published"
        if signed_in and plan.status != Plan.Status.PUBLISHED:
            stage += f"; a new revision is at the {stage_name} stage"
    else:
        stage = stage_name + _due(plan)
    period = period_label(plan.period_start, plan.period_end)
    return PlanLine(_plan_address(partnership, period), plan.title, f"{period}, {stage}")


def _due(plan: Any) -> str:
    return f", due {date_format(plan.deadline)}" if plan.deadline else ""


@functools.lru_cache(maxsize=4096)
def _cached_address(prefix: str, name: str, partnership: str, period: str) -> str:
    return reverse(name, kwargs={"partnership": partnership, "period": period})


def _plan_address(partnership: str, period: str, name: str = "plan_detail") -> str:
    """Plan.get_absolute_url (or the address `name` of another of the plan's pages),
    remembered: the same plan's address is asked for by every visit of home and My plan work
    (under the script prefix of the request, part of what is remembered)."""
    return _cached_address(get_script_prefix(), name, partnership, period)


def work_line(partnership: str, plan: Any) -> PlanLine:
    """A plan as a line of My plan work, from a row of its PLAN_LINE_FIELDS: its workspace, its
    stage and deadline."""
    period = period_label(plan.period_start, plan.period_end)
    url = _plan_address(partnership, period, "plan_workspace")
    return PlanLine(
        url, f"{plan.title} ({period})", f"{Plan.Status(plan.status).label}{_due(plan)}"
    )


def _with_lines(
    found: Page[Partnership], plans: Any, make: Callable[..., PlanLine]
) -> Page[Partnership]:
    """Give each partnership of the page its `plan_lines`, made by `make` from the rows of
    `plans` (a Plan queryset) of those partnerships, newest first: one query."""
    addresses = {partnership.pk: partnership.slug for partnership in found}
    lines: dict[int, list[PlanLine]] = {pk: [] for pk in addresses}
    if addresses:
        rows = (
            plans.filter(partnership__in=list(addresses))
            .order_by("-period_start", "pk")
            .values_list(*PLAN_LINE_FIELDS, named=True)
        )
        for row in rows:
            lines[row.partnership_id].append(make(addresses[row.partnership_id], row))
    for partnership in found:
        partnership.plan_lines = lines[partnership.pk]  # type: ignore[attr-defined]
    return found


def partnerships_with_plans(user: Any, *, search: str = "", page: Any = 1) -> Page[Partnership]:
    """One page of partnerships (by name; `search` narrows them), each with the plans this person
    may read as `plan_lines` (PlanLine), newest first. Three queries a page, however large the
    installation. The plans are read as rows and their lines made here, not as Plan objects in
    the template: a page of partnerships then takes about as long as the demo's two."""
    partnerships = Partnership.objects.order_by("name")
    if search.strip():
        partnerships = partnerships.filter(name__icontains=search.strip())
    found = Paginator(partnerships, PARTNERSHIPS_PER_PAGE).get_page(page)
    signed_in = bool(user.is_authenticated)
    return _with_lines(
        found,
        Plan.objects.visible_to(user),
        lambda partnership, plan: plan_line(partnership, plan, signed_in=signed_in),
    )


def member_partnerships(user: Any, *, search: str = "", page: Any = 1) -> Page[Partnership]:
    """One page of the partnerships whose plans the person works on (every one, for an admin),
    by name (`search` narrows them), each with all its plans as `plan_lines` (work_line), newest
    first. Three queries a page, however many partnerships the installation holds."""
    partnerships = Partnership.objects.for_member(user).order_by("name")
    if search.strip():
        partnerships = partnerships.filter(name__icontains=search.strip())
    found = Paginator(partnerships, PARTNERSHIPS_PER_PAGE).get_page(page)
    return _with_lines(found, Plan.objects.all(), work_line)
