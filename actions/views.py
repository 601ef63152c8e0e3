"""My plan work, and the actions of a plan: read, added, edited, removed and reordered."""

from typing import TYPE_CHECKING, Any, Literal, cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.access import fetch_action
from actions.forms import ActionForm, OutcomeFormSet, outcome_values
from actions.history import action_history
from actions.models import Action
from actions.services import EditConflict, action_create, action_delete, action_move, action_update
from partners.models import Partnership
from partners.permissions import agency_ids, can
from priorities.access import fetch_plan
from priorities.selectors import member_partnerships

User = get_user_model()

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """The signed-in home: my agencies, my partnerships' plans, and my agencies' actions."""
    user = cast("AuthUser", request.user)  # @login_required
    mine = agency_ids(user)
    actions = (
        Action.objects.select_related("priority__plan__partnership", "theme", "lead_agency")
        .with_outcome_count()
        .order_by("priority__plan__partnership__name", "-priority__plan__period_start", "order")
    )
    search = request.GET.get("q", "")[:100]
    # One page of partnerships: an admin works on every partnership of the installation.
    partnerships = member_partnerships(user, search=search, page=request.GET.get("page", 1))
    memberships = list(user.memberships.select_related("agency").order_by("agency__name"))
    coordinated = list(user.coordinated_partnerships.order_by("name"))
    context = {
        "memberships": memberships,
        "coordinated": coordinated,
        # Someone who belongs nowhere is told whom to ask: the coordinators of the partnerships
        # that list their e-mail's domain, when any do.
        "ask": None
        if memberships or coordinated or user.is_superuser
        else _coordinators_to_ask(user),
        "partnerships": partnerships,
        "search": search,
        # An agency shared by many partnerships (a police force, a county council) has actions in
        # each of their plans, year after year: a page of each list at a time.
        "led": _page_of(request, actions.filter(lead_agency__in=mine), "led_page"),
        "supported": _page_of(
            request,
            actions.filter(supporting_agencies__in=mine).exclude(lead_agency__in=mine).distinct(),
            "supported_page",
        ),
    }
    return render(request, "actions/my_work.html", context)


ACTIONS_PER_PAGE = 25


def _page_of(request: HttpRequest, actions: Any, parameter: str) -> Page[Action]:
    """The page of `actions` that `parameter` of the address asks for."""
    return Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get(parameter, 1))


def _coordinators_to_ask(user: Any) -> list[tuple[Partnership, list[Any]]]:
    found = Partnership.objects.allowing_email(user.email or "").prefetch_related(
        Prefetch("coordinators", queryset=User.objects.filter(is_active=True).order_by("last_name"))
    )
    return [(partnership, list(partnership.coordinators.all())) for partnership in found]


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk)
    context = {
        "action": action,
        "plan": action.priority.plan,
        "outcomes": action.outcomes.order_by("order", "pk"),
        "history": action_history(action.pk),
        "updates": action.updates.select_related("created_by"),
        "can_update": can(request.user, "tracking.update_progress", action),
        "services": action.services.all(),
        "can_record_funding": can(request.user, "tracking.record_funding", action),
    }
    return render(request, "actions/action_detail.html", context)


@login_required
def action_add(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.add_action")
    initial = {key: request.GET.get(key) for key in ("priority", "theme") if request.GET.get(key)}
    can_restrict = can(request.user, "lifecycle.run_plan", plan)
    form = ActionForm(request.POST or None, plan=plan, initial=initial, can_restrict=can_restrict)
    outcomes = OutcomeFormSet(request.POST or None, prefix="outcomes")
    if request.method == "POST" and form.is_valid() and outcomes.is_valid():
        action = action_create(
            user=request.user, outcomes=outcome_values(outcomes), **form.values()
        )
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
                action=action,
                user=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                outcomes=outcome_values(outcomes),
                **form.values(),
            )
        except EditConflict as exc:
            conflict = exc
            # Keep everything this person typed, now based on the version they have seen.
            merged = request.POST.copy()
            merged["version"] = str(exc.current.version)
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
    direction: Literal["up", "down"] = "up" if request.POST.get("direction") == "up" else "down"
    if action_move(action=action, direction=direction, user=request.user):
        messages.success(request, f"The action was moved {direction} in its cell.")
    else:
        end = "top" if direction == "up" else "bottom"
        messages.info(request, f"The action is already at the {end} of its cell.")
    if request.POST.get("next") == "action":
        return redirect(action)
    cell = f"cell-{action.priority_id}-{action.theme_id or 'none'}"
    return redirect(f"{action.priority.plan.get_workspace_url()}#{cell}")
