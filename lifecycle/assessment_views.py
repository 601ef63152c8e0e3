"""The year's Strategic Assessment: the evidence behind a plan's priorities.

Members read it with the plan; once the plan has a published version, so does the public. The
PDF is never a public media URL: `assessment_pdf` asks the permission rules before sending it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control

from partners.permissions import can
from priorities.access import fetch_plan
from priorities.models import Plan
from tracking.assessment import assessment_of, assessment_save
from tracking.forms import StrategicAssessmentForm
from tracking.models import StrategicAssessment


class _SignIn(Exception):
    """A visitor asked for a members' page: ask them to sign in."""


def _plan_for_reader(user: Any, partnership: str, period: str) -> Plan:
    """The plan, if this person may read it: 404 to outsiders, a sign-in to visitors."""
    plan = Plan.objects.select_related("assessment__author").at(partnership, period)
    if plan is None:
        raise Http404("No such plan.")
    if can(user, "priorities.view_plan", plan):
        return plan
    if not user.is_authenticated:
        raise _SignIn
    # People of other partnerships learn nothing about its unpublished plans.
    raise Http404("No such plan.")


def _priorities(plan: Plan, *, member: bool) -> Sequence[Mapping[str, object]]:
    """Members read the live priorities; the public reads those of the published version."""
    if member:
        return [
            {"id": p.pk, "title": p.title, "evidence": p.evidence}
            for p in plan.priorities.order_by("order", "pk")
        ]
    return plan.versions.latest().data["priorities"]  # the published priorities


def assessment_detail(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    try:
        plan = _plan_for_reader(request.user, partnership, period)
    except _SignIn:
        return redirect_to_login(request.get_full_path())
    member = can(request.user, "priorities.use_workspace", plan)
    assessment = assessment_of(plan)
    context = {
        "plan": plan,
        "assessment": assessment,
        "member": member,
        # A county analyst reads a draft's live priorities (nothing of them is restricted).
        "priorities": _priorities(plan, member=member or not plan.has_published_version),
        "can_manage": can(request.user, "tracking.manage_assessment", plan),
        "document_size": _size(assessment),
    }
    return render(request, "tracking/assessment/assessment_detail.html", context)


def _size(assessment: StrategicAssessment | None) -> int | None:
    if assessment is None or not assessment.document:
        return None
    try:
        return assessment.document.size
    except OSError:  # the file is missing from storage: the page says so rather than failing
        return None


@login_required
def assessment_edit(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="tracking.manage_assessment")
    assessment = assessment_of(plan)
    form = StrategicAssessmentForm(
        request.POST or None, request.FILES or None, instance=assessment, plan=plan
    )
    if request.method == "POST" and form.is_valid():
        assessment_save(plan=plan, user=request.user, **form.assessment_values())
        messages.success(request, "The Strategic Assessment was saved.")
        return redirect("assessment_detail", partnership=partnership, period=period)
    context = {"plan": plan, "form": form, "assessment": assessment}
    return render(request, "tracking/assessment/assessment_form.html", context)


def assessment_pdf(request: HttpRequest, partnership: str, period: str) -> HttpResponseBase:
    try:
        plan = _plan_for_reader(request.user, partnership, period)
    except _SignIn:
        return redirect_to_login(request.get_full_path())
    assessment = assessment_of(plan)
    if assessment is None or not assessment.document:
        raise Http404("This plan's Strategic Assessment has no PDF.")
    try:
        file = assessment.document.open("rb")
    except OSError:
        raise Http404("The Strategic Assessment's PDF is missing.") from None
    response = FileResponse(
        file,
        content_type="application/pdf",
        filename=f"{plan.partnership.slug}-{plan.period}-strategic-assessment.pdf",
    )
    if not plan.has_published_version:
        # Members only: no shared cache may keep it.
        patch_cache_control(response, private=True, no_store=True)
    return response
