"""Through the year: progress updates, measures and figures, the dashboard, and the services
commissioned to deliver actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.access import fetch_action
from actions.models import Action
from partners.permissions import Refused, agency_ids, can, coordinated_partnership_ids
from priorities.access import fetch_plan
from tracking.charts import line_chart
from tracking.dashboard import RAG_COLUMNS, rag_by
from tracking.figures import agencies_for_figures, figure_save, measure_save, measures_data
from tracking.forms import CommissionedServiceForm, FigureForm, MeasureForm, ProgressUpdateForm
from tracking.funding import commissioned_service_add, commissioned_service_remove, funding_summary
from tracking.models import Measure
from tracking.periods import period_label
from tracking.progress import (
    is_update_due,
    progress_record,
    update_due_since,
    updates_due,
    with_latest_update,
)


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
    context = {"action": action, "plan": action.priority.plan, "form": form}
    return render(request, "tracking/progress_form.html", context)


@login_required
def my_updates_due(request: HttpRequest) -> HttpResponse:
    """Actions this person's agencies lead (or their partnerships', for a coordinator) that are
    due a progress update."""
    mine = Q(lead_agency__in=agency_ids(request.user)) | Q(
        priority__plan__partnership__in=coordinated_partnership_ids(request.user)
    )
    due = (
        updates_due(Action.objects.filter(mine))
        .select_related("priority__plan__partnership", "lead_agency")
        .order_by("priority__plan__partnership__name", "priority__order", "order")
    )
    context = {"due": due, "since": update_due_since()}
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
    context = {
        "plan": plan,
        "rag_columns": RAG_COLUMNS,
        "by_priority": rag_by(actions, lambda a: a.priority.title),
        "by_theme": rag_by(actions, lambda a: a.theme.name if a.theme else "No theme yet"),
        "due": [a for a in actions if is_update_due(a)],
        "measures": measures,
        "funding": funding_summary(plan),
    }
    return render(request, "tracking/plan_dashboard.html", context)


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
