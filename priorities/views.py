from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.filters import ActionFilter
from actions.layout import plan_actions, plan_layout, plan_matrix
from actions.models import Action
from partners.models import Partnership
from partners.permissions import agency_ids, can, fetch_plan, fetch_priority
from priorities.forms import PriorityForm
from priorities.models import Plan
from priorities.services import priority_create, priority_delete, priority_move, priority_update


def home(request: HttpRequest) -> HttpResponse:
    """Every partnership and the plans this visitor may read."""
    plans = Plan.objects.visible_to(request.user).order_by("-period_start")
    partnerships = Partnership.objects.prefetch_related(
        Prefetch("plans", queryset=plans, to_attr="visible_plans")
    ).order_by("name")
    return render(request, "priorities/home.html", {"partnerships": partnerships})


def plan_detail(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = (
        Plan.objects.filter(partnership__slug=partnership)
        .for_period(period)
        .select_related("partnership")
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    if not can(request.user, "priorities.view_plan", plan):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Outsiders learn nothing about another partnership's unpublished plans.
        raise Http404("No such plan.")
    context = {
        "plan": plan,
        "core_agencies": plan.partnership.core_agencies.order_by("name"),
        "sections": plan_layout(plan),
    }
    return render(request, "priorities/plan_detail.html", context)


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """The signed-in home: my agencies, my partnerships' plans, and my agencies' actions."""
    user = request.user
    mine = agency_ids(user)
    actions = (
        Action.objects.select_related("priority__plan__partnership", "theme", "lead_agency")
        .with_outcome_count()
        .order_by("priority__plan__partnership__name", "-priority__plan__period_start", "order")
    )
    partnerships = (
        Partnership.objects.for_member(user)
        .prefetch_related(Prefetch("plans", queryset=Plan.objects.order_by("-period_start")))
        .order_by("name")
    )
    context = {
        "memberships": user.memberships.select_related("agency").order_by("agency__name"),
        "coordinated": user.coordinated_partnerships.order_by("name"),
        "partnerships": partnerships,
        "led": actions.filter(lead_agency__in=mine),
        "supported": actions.filter(supporting_agencies__in=mine)
        .exclude(lead_agency__in=mine)
        .distinct(),
    }
    return render(request, "priorities/my_work.html", context)


@login_required
def plan_workspace(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period)
    filters = ActionFilter(request.GET or None, queryset=plan_actions(plan), plan=plan)
    chosen = filters.form.cleaned_data if filters.form.is_valid() else {}
    matrix = plan_matrix(
        plan, filters.qs, priority=chosen.get("priority"), theme=chosen.get("theme")
    )
    context = {
        "plan": plan,
        "filters": filters,
        "filtering": bool(request.GET) and any(chosen.values()),
        "matrix": matrix,
        "action_total": sum(row.action_count for row in matrix.rows),
    }
    return render(request, "priorities/plan_workspace.html", context)


@login_required
def priority_list(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period)
    priorities = plan.priorities.order_by("order", "pk")
    return render(
        request, "priorities/priority_list.html", {"plan": plan, "priorities": priorities}
    )


@login_required
def priority_add(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="priorities.add_priority")
    form = PriorityForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        priority = priority_create(plan=plan, form=form, user=request.user)
        messages.success(request, f"The priority “{priority.title}” was added.")
        return redirect("priority_list", partnership=partnership, period=period)
    return render(request, "priorities/priority_form.html", {"plan": plan, "form": form})


@login_required
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    priority = fetch_priority(request.user, pk, perm="priorities.change_priority")
    plan = priority.plan
    form = PriorityForm(request.POST or None, instance=priority, plan=plan)
    if request.method == "POST" and form.is_valid():
        priority_update(form=form, user=request.user)
        messages.success(request, "The priority was saved.")
        return redirect("priority_list", partnership=plan.partnership.slug, period=plan.period)
    context = {"plan": plan, "form": form, "priority": priority}
    return render(request, "priorities/priority_form.html", context)


@login_required
def priority_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    priority = fetch_priority(request.user, pk, perm="priorities.delete_priority")
    plan = priority.plan
    if request.method == "POST":
        priority_delete(priority=priority, user=request.user)
        messages.success(request, f"The priority “{priority.title}” was removed.")
        return redirect("priority_list", partnership=plan.partnership.slug, period=plan.period)
    context = {"plan": plan, "priority": priority, "actions": priority.actions.order_by("order")}
    return render(request, "priorities/priority_confirm_delete.html", context)


@login_required
@require_POST
def priority_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    priority = fetch_priority(request.user, pk, perm="priorities.change_priority")
    direction = "up" if request.POST.get("direction") == "up" else "down"
    if not priority_move(priority=priority, direction=direction, user=request.user):
        end = "top" if direction == "up" else "bottom"
        messages.info(request, f"“{priority.title}” is already at the {end}.")
    plan = priority.plan
    return redirect("priority_list", partnership=plan.partnership.slug, period=plan.period)
