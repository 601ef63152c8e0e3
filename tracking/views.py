"""Through the year: progress updates, measures and figures, the dashboard, and the services
commissioned to deliver actions."""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from actions.access import fetch_action
from actions.models import Action
from partners.permissions import Refused, can
from priorities.access import fetch_plan
from priorities.models import Plan
from tracking.charts import line_chart
from tracking.dashboard import NO_UPDATE, RAG_COLUMNS, rag_bar, rag_by
from tracking.figures import agencies_for_figures, figure_save, measure_save, measures_data
from tracking.forms import (
    CommissionedServiceForm,
    FigureForm,
    FundingAllocationsForm,
    MeasureForm,
    ProgressRowForm,
    ProgressUpdateForm,
    ReportingCalendarForm,
)
from tracking.funding import (
    commissioned_service_add,
    commissioned_service_remove,
    funding_allocations_save,
    funding_position,
)
from tracking.models import Measure, ProgressUpdate
from tracking.periods import period_label
from tracking.progress import (
    OwedUpdate,
    ProgressEntry,
    actions_to_update,
    owed_for,
    progress_record,
    progress_record_many,
    updates_owed,
    with_latest_update,
)
from tracking.reporting import current_period, reporting_calendar_save, reporting_periods


@login_required
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="tracking.update_progress")
    form = ProgressUpdateForm(
        request.POST or None, initial={"date": timezone.localdate().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        progress_record(action=action, user=request.user, **form.cleaned_data)
        messages.success(request, "Your progress update was recorded.")
        return redirect(action)
    context = {
        "action": action,
        "plan": action.priority.plan,
        "form": form,
        "last_update": action.updates.select_related("created_by").first(),
    }
    return render(request, "tracking/progress_form.html", context)


def _by_plan(owed: list[OwedUpdate]) -> list[tuple[Plan, list[OwedUpdate]]]:
    """The owed updates grouped by plan, in their order."""
    groups: dict[int, tuple[Plan, list[OwedUpdate]]] = {}
    for item in owed:
        plan = item.action.priority.plan
        groups.setdefault(plan.pk, (plan, []))[1].append(item)
    return list(groups.values())


@login_required
def my_updates_due(request: HttpRequest) -> HttpResponse:
    """The progress updates due and overdue by the reporting calendar, of the actions this
    person's agencies lead (or, for a coordinator, of their partnerships' actions)."""
    owed = updates_owed(user=request.user)
    context = {"groups": _by_plan(owed), "overdue": sum(item.is_overdue for item in owed)}
    return render(request, "tracking/my_updates_due.html", context)


@login_required
def measure_list(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    context = {
        "plan": plan,
        "measures": plan.measures.select_related("priority").order_by("name"),
        "can_manage": can(request.user, "tracking.manage_measures", plan),
    }
    return render(request, "tracking/measure_list.html", context)


@login_required
def measure_form(
    request: HttpRequest, partnership: str, period: str, pk: int | None = None
) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="tracking.manage_measures")
    measure = get_object_or_404(plan.measures, pk=pk) if pk else None
    form = MeasureForm(request.POST or None, instance=measure, plan=plan)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        saved = measure_save(plan=plan, user=request.user, measure=measure, **values)
        messages.success(request, f"The measure “{saved.name}” was saved.")
        return redirect("measure_list", partnership=partnership, period=period)
    return render(
        request, "tracking/measure_form.html", {"plan": plan, "form": form, "measure": measure}
    )


@login_required
def figure_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency enters its own figure for a period; a second entry for the same period corrects
    the first."""
    measure = get_object_or_404(Measure.objects.select_related("plan__partnership"), pk=pk)
    plan = fetch_plan(
        request.user,
        measure.plan.partnership.slug,
        measure.plan.period,
        perm="tracking.view_tracking",
    )
    agencies = agencies_for_figures(request.user, plan)
    form = FigureForm(request.POST or None, measure=measure, agencies=agencies)
    if request.method == "POST":
        if not agencies.exists():
            raise Refused(
                "Only the partnership's core agencies, and its coordinator, enter figures.",
                partnership_id=plan.partnership_id,
            )
        if form.is_valid():
            figure, created = figure_save(
                measure=measure,
                agency=form.cleaned_data["agency"],
                period_start=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                confidence=form.cleaned_data["confidence"],
                user=request.user,
            )
            label = period_label(figure.period_start, measure.frequency)
            verb = "recorded" if created else "corrected"
            messages.success(request, f"{figure.agency}'s figure for {label} was {verb}.")
            return redirect("figure_entry", pk=measure.pk)
    data = next(d for d in measures_data(plan) if d.measure.pk == measure.pk)
    context = {
        "plan": plan,
        "measure": measure,
        "form": form,
        "data": data,
        "chart": line_chart(data, f"measure-{measure.pk}"),
        "can_enter": agencies.exists(),
    }
    return render(request, "tracking/figure_entry.html", context)


@login_required
def plan_dashboard(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    actions = list(
        with_latest_update(Action.objects.filter(priority__plan=plan))
        .select_related("priority__plan", "theme", "lead_agency")
        .order_by("priority__order", "order", "pk")
    )
    measures = [
        (data, line_chart(data, f"measure-{data.measure.pk}")) for data in measures_data(plan)
    ]
    by_priority: dict[str, list[str]] = {}
    for action in actions:
        by_priority.setdefault(action.priority.title, []).append(action.latest_rag or NO_UPDATE)
    context = {
        "plan": plan,
        "rag_columns": RAG_COLUMNS,
        "overall": rag_bar(a.latest_rag or NO_UPDATE for a in actions),
        "priority_bars": [(title, rag_bar(keys)) for title, keys in by_priority.items()],
        "can_manage_funding": can(request.user, "tracking.manage_funding", plan),
        "by_priority": rag_by(actions, lambda a: a.priority.title),
        "by_theme": rag_by(actions, lambda a: a.theme.name if a.theme else "No theme yet"),
        "owed": updates_owed(plans=[plan]),
        "measures": measures,
        "position": funding_position(plan),
    }
    return render(request, "tracking/plan_dashboard.html", context)


@login_required
def plan_funding(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The plan's funding: each source's allocation against what commissioned services commit,
    over-commitment flagged. Members read it; the coordinator sets the allocations."""
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    can_manage = can(request.user, "tracking.manage_funding", plan)
    if request.method == "POST" and not can_manage:
        raise Refused(
            "Only the partnership's coordinator sets what the plan's funding sources allocate.",
            partnership_id=plan.partnership_id,
        )
    position = funding_position(plan)
    allocated = {s.source: s.allocated for s in position.sources if s.allocated is not None}
    form = None
    if can_manage:
        form = FundingAllocationsForm(request.POST or None, allocated=allocated)
        if request.method == "POST" and form.is_valid():
            funding_allocations_save(plan=plan, user=request.user, amounts=form.amounts())
            messages.success(request, "The funding allocations were saved.")
            return redirect("plan_funding", partnership=partnership, period=period)
    context = {"plan": plan, "position": position, "funding": position.summary, "form": form}
    return render(request, "tracking/plan_funding.html", context)


@login_required
def action_services(request: HttpRequest, pk: int) -> HttpResponse:
    """The services commissioned to deliver an action: listed, and one more recorded."""
    action = fetch_action(request.user, pk, perm="tracking.record_funding")
    form = CommissionedServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = commissioned_service_add(action=action, user=request.user, **form.cleaned_data)
        messages.success(request, f"The service by {service.provider} was recorded.")
        return redirect("action_services", pk=action.pk)
    services = action.services.order_by("provider", "pk")
    context = {
        "action": action,
        "plan": action.priority.plan,
        "services": services,
        "total": services.aggregate(total=Sum("amount"))["total"],
        "form": form,
    }
    return render(request, "tracking/services_manage.html", context)


@login_required
@require_POST
def action_service_remove(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="tracking.record_funding")
    service = get_object_or_404(action.services, pk=service_pk)
    commissioned_service_remove(service=service, user=request.user)
    messages.success(request, f"The service by {service.provider} was removed.")
    return redirect("action_services", pk=action.pk)


# -- The reporting calendar, and "Update my actions".


@login_required
def reporting_calendar(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The plan's reporting periods: members read them, the coordinator sets the due dates."""
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    periods = reporting_periods(plan)
    can_manage = can(request.user, "tracking.manage_calendar", plan)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(
            "Only the partnership's coordinator sets when updates are due. Ask them to change "
            "the reporting calendar."
        )
    form = ReportingCalendarForm(request.POST or None, periods=periods) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            reporting_calendar_save(plan=plan, user=request.user, due_dates=form.due_dates())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The reporting calendar was saved.")
            return redirect("reporting_calendar", partnership=partnership, period=period)
    context = {
        "plan": plan,
        "periods": periods,
        "form": form,
        "current": current_period(periods, timezone.localdate()),
    }
    return render(request, "tracking/reporting_calendar.html", context)


@dataclass
class ProgressRow:
    """One action of "Update my actions": its form, and what it owes."""

    number: int
    action: Action
    form: ProgressRowForm
    owed: list[OwedUpdate]


@dataclass
class RowError:
    anchor: str
    label: str
    message: str


def _progress_rows(actions: list[Action], data: Any, today: datetime.date) -> list[ProgressRow]:
    owed: dict[int, list[OwedUpdate]] = {}
    for item in owed_for(actions, today):
        owed.setdefault(item.action.pk, []).append(item)
    return [
        ProgressRow(
            number=number,
            action=action,
            form=ProgressRowForm(data, prefix=f"action-{action.pk}"),
            owed=owed.get(action.pk, []),
        )
        for number, action in enumerate(actions, start=1)
    ]


def _row_errors(rows: list[ProgressRow]) -> list[RowError]:
    """Every error of every row, each naming its row and linking to its field."""
    errors = []
    for row in rows:
        for name, messages_ in row.form.errors.items():
            bound = row.form[name]
            radio = isinstance(bound.field.widget, forms.RadioSelect)
            anchor = f"{bound.auto_id}_0" if radio else bound.auto_id
            label = f"Row {row.number} ({Truncator(row.action.description).words(10)})"
            errors += [RowError(anchor, label, str(message)) for message in messages_]
    return errors


def _nothing_to_update(plan: Plan) -> str:
    if not plan.has_published_version:
        return "Progress is recorded once the plan is published."
    return (
        "Your agency leads no action of this plan, so there is nothing for you to update. "
        "The partnership's coordinator can record progress on any action."
    )


def _recorded(count: int) -> str:
    return f"{count} progress update{pluralize(count)} {pluralize(count, 'was,were')} recorded."


@login_required
def update_my_actions(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """All the actions this person reports on in a plan (their agency's; the coordinator's: all),
    each with a RAG, a percentage and a narrative, saved together. A row left blank is skipped."""
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    actions = actions_to_update(request.user, plan)
    if request.method == "POST" and not actions:
        raise PermissionDenied(_nothing_to_update(plan))
    today = timezone.localdate()
    rows = _progress_rows(actions, request.POST if request.method == "POST" else None, today)
    nothing_typed = False
    if request.method == "POST" and all(row.form.is_valid() for row in rows):
        entries = [
            ProgressEntry(action=row.action, **row.form.cleaned_data)
            for row in rows
            if not row.form.is_blank
        ]
        if entries:
            progress_record_many(user=request.user, date=today, entries=entries)
            messages.success(request, _recorded(len(entries)))
            return redirect("update_my_actions", partnership=partnership, period=period)
        nothing_typed = True
    periods = reporting_periods(plan) if plan.has_published_version else []
    context = {
        "plan": plan,
        "rows": rows,
        "errors": _row_errors(rows),
        "nothing_typed": nothing_typed,
        "explanation": "" if actions else _nothing_to_update(plan),
        "current": current_period(periods, today),
        "today": today,
        "rag_labels": ProgressUpdate.Rag.choices,
    }
    return render(request, "tracking/update_my_actions.html", context)
