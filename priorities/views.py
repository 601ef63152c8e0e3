from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from actions.layout import plan_layout
from partners.models import Partnership
from priorities.models import Plan


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
    if not Plan.objects.visible_to(request.user).filter(pk=plan.pk).exists():
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
