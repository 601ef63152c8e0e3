"""The plan's priorities: listed, added, edited, removed and reordered."""

from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from priorities.access import fetch_plan, fetch_priority
from priorities.forms import PriorityForm
from priorities.services import priority_create, priority_delete, priority_move, priority_update


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
        priority = priority_create(plan=plan, user=request.user, **form.cleaned_data)
        messages.success(request, f"The priority “{priority.title}” was added.")
        return redirect("priority_list", partnership=partnership, period=period)
    return render(request, "priorities/priority_form.html", {"plan": plan, "form": form})


@login_required
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    priority = fetch_priority(request.user, pk, perm="priorities.change_priority")
    plan = priority.plan
    form = PriorityForm(request.POST or None, instance=priority, plan=plan)
    if request.method == "POST" and form.is_valid():
        priority_update(priority=priority, user=request.user, **form.cleaned_data)
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
    direction: Literal["up", "down"] = "up" if request.POST.get("direction") == "up" else "down"
    if not priority_move(priority=priority, direction=direction, user=request.user):
        end = "top" if direction == "up" else "bottom"
        messages.info(request, f"“{priority.title}” is already at the {end}.")
    plan = priority.plan
    return redirect("priority_list", partnership=plan.partnership.slug, period=plan.period)
