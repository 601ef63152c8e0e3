from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.charts import line_chart
from actions.forms import (
    ActionForm,
    FigureForm,
    MeasureForm,
    OutcomeFormSet,
    ProgressUpdateForm,
)
from actions.funding import funding_summary
from actions.history import action_history
from actions.models import Action, Figure, Measure
from actions.periods import period_label
from actions.services import (
    EditConflict,
    action_create,
    action_delete,
    action_move,
    action_update,
)
from actions.tracking import (
    RAG_COLUMNS,
    agencies_for_figures,
    figure_save,
    is_update_due,
    measures_data,
    progress_record,
    rag_by,
    update_due_since,
    updates_due,
    with_latest_update,
)
from partners.permissions import (
    agency_ids,
    can,
    coordinated_partnership_ids,
    fetch_action,
    fetch_plan,
)


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk)
    context = {
        "action": action,
        "plan": action.priority.plan,
        "outcomes": action.outcomes.order_by("order", "pk"),
        "history": action_history(action.pk),
        "updates": action.updates.select_related("created_by"),
        "can_update": can(request.user, "actions.update_progress", action),
        "services": action.services.all(),
        "can_record_funding": can(request.user, "actions.record_funding", action),
    }
    return render(request, "actions/action_detail.html", context)


@login_required
def action_add(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.add_action")
    initial = {key: request.GET.get(key) for key in ("priority", "theme") if request.GET.get(key)}
    can_restrict = can(request.user, "priorities.run_plan", plan)
    form = ActionForm(request.POST or None, plan=plan, initial=initial, can_restrict=can_restrict)
    outcomes = OutcomeFormSet(request.POST or None, prefix="outcomes")
    if request.method == "POST" and form.is_valid() and outcomes.is_valid():
        action = action_create(form=form, outcomes=outcomes, user=request.user)
        messages.success(request, "The action was added to the plan.")
        return redirect(action)
    context = {"form": form, "outcomes": outcomes, "plan": plan, "adding": True}
    return render(request, "actions/action_form.html", context)


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="actions.change_action")
    plan = action.priority.plan
    data = request.POST or None
    can_restrict = can(request.user, "actions.restrict_action", action)
    form = ActionForm(
        data,
        instance=action,
        plan=plan,
        initial={"version": action.version},
        can_restrict=can_restrict,
    )
    outcomes = OutcomeFormSet(data, instance=action, prefix="outcomes")
    conflict = None
    if request.method == "POST" and form.is_valid() and outcomes.is_valid():
        try:
            action_update(
                action_id=action.pk,
                form=form,
                outcomes=outcomes,
                user=request.user,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except EditConflict as exc:
            conflict = exc
            # Keep everything this person typed, now based on the version they have seen.
            merged = request.POST.copy()
            merged["version"] = exc.current.version
            form = ActionForm(merged, instance=exc.current, plan=plan, can_restrict=can_restrict)
            outcomes = OutcomeFormSet(merged, instance=exc.current, prefix="outcomes")
            form.is_valid()
            outcomes.is_valid()
        else:
            messages.success(request, "Your changes were saved.")
            return redirect(action)
    context = {"form": form, "outcomes": outcomes, "plan": plan, "action": action}
    if conflict:
        context |= {"conflict": conflict, "current": conflict.current}
    return render(request, "actions/action_form.html", context, status=409 if conflict else 200)


@login_required
def action_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="actions.delete_action")
    plan = action.priority.plan
    if request.method == "POST":
        action_delete(action=action, user=request.user)
        messages.success(request, "The action was deleted. Its history is kept.")
        return redirect(plan.get_workspace_url())
    return render(request, "actions/action_confirm_delete.html", {"action": action, "plan": plan})


@login_required
@require_POST
def action_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="actions.change_action")
    direction = "up" if request.POST.get("direction") == "up" else "down"
    if action_move(action=action, direction=direction, user=request.user):
        messages.success(request, f"The action was moved {direction} in its cell.")
    else:
        end = "top" if direction == "up" else "bottom"
        messages.info(request, f"The action is already at the {end} of its cell.")
    if request.POST.get("next") == "action":
        return redirect(action)
    cell = f"cell-{action.priority_id}-{action.theme_id or 'none'}"
    return redirect(f"{action.priority.plan.get_workspace_url()}#{cell}")


# -- Through the year: progress, measures and figures, the dashboard.


@login_required
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="actions.update_progress")
    form = ProgressUpdateForm(
        request.POST or None, initial={"date": timezone.localdate().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        progress_record(action=action, user=request.user, form=form)
        messages.success(request, "Your progress update was recorded.")
        return redirect(action)
    context = {"action": action, "plan": action.priority.plan, "form": form}
    return render(request, "actions/progress_form.html", context)


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
    return render(request, "actions/my_updates_due.html", context)


@login_required
def measure_list(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.view_tracking")
    context = {
        "plan": plan,
        "measures": plan.measures.select_related("priority").order_by("name"),
        "can_manage": can(request.user, "actions.manage_measures", plan),
    }
    return render(request, "actions/measure_list.html", context)


@login_required
def measure_form(
    request: HttpRequest, partnership: str, period: str, pk: int | None = None
) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.manage_measures")
    measure = get_object_or_404(plan.measures, pk=pk) if pk else None
    form = MeasureForm(request.POST or None, instance=measure, plan=plan)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"The measure “{saved.name}” was saved.")
        return redirect("measure_list", partnership=partnership, period=period)
    return render(
        request, "actions/measure_form.html", {"plan": plan, "form": form, "measure": measure}
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
        perm="actions.view_tracking",
    )
    agencies = agencies_for_figures(request.user, plan)
    form = FigureForm(request.POST or None, measure=measure, agencies=agencies)
    if request.method == "POST":
        if not agencies.exists():
            raise PermissionDenied("Only the agencies of the partnership enter figures.")
        if form.is_valid():
            figure = Figure(
                measure=measure,
                agency=form.cleaned_data["agency"],
                period_start=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                confidence=form.cleaned_data["confidence"],
            )
            if not can(request.user, "actions.enter_figure", figure):
                raise PermissionDenied("An agency enters figures only for itself.")
            figure, created = figure_save(figure=figure, user=request.user)
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
    return render(request, "actions/figure_entry.html", context)


@login_required
def plan_dashboard(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.view_tracking")
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
    return render(request, "actions/plan_dashboard.html", context)
