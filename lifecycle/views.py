"""The plan's pages: the public plan and its versions, the members' workspace, readiness and
agreement, and the stage changes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from actions.filters import ActionFilter
from actions.history import plan_changes_since
from actions.layout import plan_matrix
from actions.models import Action
from lifecycle.document import document_context
from lifecycle.forms import AgreementForm, MarkAgreedForm, MeetingForm
from lifecycle.pdf import draft_pdf_refusal, render_draft_pdf
from lifecycle.public_cache import PAGE, cache_public_page
from lifecycle.published_files import serve
from lifecycle.readiness import answers_cleared_by_edits, plan_readiness
from lifecycle.services import (
    COORDINATOR_ONLY,
    plan_amend,
    plan_answer,
    plan_mark_agreed,
    plan_publish,
    plan_record_meeting,
    plan_reopen_draft,
    plan_send_for_agreement,
    plan_start_next_year,
)
from lifecycle.snapshot import compare, plan_snapshot, public_view
from lifecycle.versions import public_version
from lifecycle.workspace import workspace_cards
from partners.models import Agency
from partners.permissions import Refused, can
from priorities.access import fetch_plan, plan_or_404
from priorities.models import Plan


@cache_public_page(PAGE)
def plan_detail(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The public plan: its latest published version for anyone; before the first publication,
    the live draft for the partnership's members."""
    plan = plan_or_404(partnership, period)
    if plan.has_published_version:
        return plan_version(request, partnership, period, plan.versions.latest().number)
    if not can(request.user, "priorities.view_plan", plan):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Outsiders learn nothing about another partnership's unpublished plans.
        raise Http404("No such plan.")
    data = plan_snapshot(plan)
    if not can(request.user, "priorities.use_workspace", plan):
        # A county analyst reads the draft as the public will: restricted actions reduced.
        data = public_view(data)
    context = document_context(plan, data, is_draft=True)
    return render(request, "lifecycle/plan_document.html", context)


@login_required
def plan_workspace(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period)
    actions = Action.objects.filter(priority__plan=plan).order_by("order", "pk")
    filters = ActionFilter(request.GET or None, queryset=actions, plan=plan)
    chosen = filters.form.cleaned_data if filters.form.is_valid() else {}
    filtering = bool(request.GET) and any(chosen.values())
    cards = workspace_cards(plan, filters.qs, user=request.user, movable=not filtering)
    matrix = plan_matrix(plan, cards, priority=chosen.get("priority"), theme=chosen.get("theme"))
    context = {
        "plan": plan,
        "filters": filters,
        "filtering": filtering,
        "matrix": matrix,
        "action_total": sum(row.action_count for row in matrix.rows),
        # Unfiltered, the grid has every action of the plan: readiness counts from them.
        "readiness": plan_readiness(plan, actions=None if filters.is_active else cards),
        "can_add": can(request.user, "actions.add_action", plan),
        "can_manage_priorities": can(request.user, "priorities.add_priority", plan),
    }
    return render(request, "lifecycle/plan_workspace.html", context)


@login_required
def plan_readiness_view(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period)
    return _readiness_page(request, plan)


def _readiness_page(
    request: HttpRequest,
    plan: Plan,
    agreed_form: MarkAgreedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    readiness = plan_readiness(plan)
    context = {
        "plan": plan,
        "readiness": readiness,
        "agreed_form": agreed_form or MarkAgreedForm(pending=readiness.pending),
        "can_run": can(request.user, "lifecycle.run_plan", plan),
        "can_answer": can(request.user, "lifecycle.answer_for_agency", plan),
        "versions": plan.versions.select_related("published_by").order_by("-number"),
    }
    return render(request, "lifecycle/plan_readiness.html", context, status=status)


STAGES = {
    "send": (plan_send_for_agreement, "The plan was sent to the core agencies for agreement."),
    "reopen": (plan_reopen_draft, "The plan is a draft again: partners can edit it."),
    "publish": (plan_publish, "The plan was published. The public can read it now."),
    "amend": (
        plan_amend,
        "A new draft revision was started. The public keeps reading the "
        "published version until the next one is published.",
    ),
}


@login_required
@require_POST
def plan_stage(request: HttpRequest, partnership: str, period: str, stage: str) -> HttpResponse:
    """Move the plan to its next stage; the services say why not when it cannot move."""
    plan = fetch_plan(request.user, partnership, period)
    try:
        if stage == "agreed":
            form = MarkAgreedForm(request.POST, pending=plan_readiness(plan).pending)
            if not form.is_valid():
                return _readiness_page(request, plan, agreed_form=form, status=400)
            plan_mark_agreed(plan=plan, user=request.user, reasons=form.reasons())
            messages.success(request, "The plan is agreed. It can be published now.")
        elif stage == "next-year":
            started = plan_start_next_year(plan=plan, user=request.user)
            messages.success(request, started.message)
            return redirect(started.plan.get_workspace_url())
        elif stage in STAGES:
            service, done = STAGES[stage]
            service(plan=plan, user=request.user)
            messages.success(request, done)
        else:
            raise Http404("No such stage.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("plan_readiness", partnership=partnership, period=period)


@login_required
def plan_agreement(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """An agency representative agrees the plan or asks for changes."""
    plan = fetch_plan(request.user, partnership, period, perm="lifecycle.answer_for_agency")
    agencies = Agency.objects.spoken_for_by(request.user, plan.partnership).order_by("name")
    form = AgreementForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            plan_answer(
                plan=plan,
                user=request.user,
                agency=form.cleaned_data["agency"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{form.cleaned_data['agency']}'s answer was recorded.")
            return redirect("plan_readiness", partnership=partnership, period=period)
    earlier = answers_cleared_by_edits(plan, agencies)
    context = {
        "plan": plan,
        "form": form,
        "current": plan.agreements.filter(
            round=plan.consultation_round, agency__in=agencies
        ).select_related("agency", "decided_by"),
        "earlier": earlier,
        "changes": plan_changes_since(plan, min(a.decided_at for a in earlier)) if earlier else [],
    }
    return render(request, "lifecycle/plan_agreement.html", context)


RECORD_MEETING = COORDINATOR_ONLY.format("record the answers given at a meeting")


def _meeting_refusal(user: Any, plan: Plan) -> str:
    """Only the coordinator records a meeting; someone who speaks for an agency answers online."""
    spoken = Agency.objects.spoken_for_by(user, plan.partnership).order_by("name").first()
    if spoken is None:
        return RECORD_MEETING
    return (
        f"{RECORD_MEETING} To give {spoken}'s answer yourself, choose “Give your agency's answer” "
        "on the plan's Readiness and agreement page."
    )


@login_required
def plan_meeting(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The coordinator records, in one form, the answers core agencies gave at a board meeting."""
    plan = fetch_plan(request.user, partnership, period)
    if not can(request.user, "lifecycle.run_plan", plan):
        raise Refused(_meeting_refusal(request.user, plan), partnership_id=plan.partnership_id)
    form = MeetingForm(request.POST or None, answers=plan_readiness(plan).answers)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = plan_record_meeting(
                plan=plan,
                user=request.user,
                date=form.cleaned_data["date"],
                minutes_reference=form.cleaned_data["minutes_reference"],
                answers=form.answers(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            names = ", ".join(answer.agency.name for answer in recorded)
            when = date_format(form.cleaned_data["date"])
            messages.success(
                request, f"The answers given at the meeting of {when} were recorded: {names}."
            )
            return redirect("plan_readiness", partnership=partnership, period=period)
    return render(request, "lifecycle/plan_meeting.html", {"plan": plan, "form": form})


@cache_public_page(PAGE)
def plan_version(request: HttpRequest, partnership: str, period: str, number: int) -> HttpResponse:
    plan, version = public_version(partnership, period, number)
    latest = plan.versions.order_by("-number").values_list("number", flat=True).first()
    context = document_context(
        plan, public_view(version.data), version=version, is_latest=version.number == latest
    )
    return render(request, "lifecycle/plan_document.html", context)


def plan_versions(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan, _ = public_version(partnership, period)
    versions = list(plan.versions.order_by("-number"))
    # The title as published: a draft revision's new title is not public yet.
    title = versions[0].data["plan"]["title"]
    context = {"plan": plan, "versions": versions, "title": title}
    return render(request, "lifecycle/plan_versions.html", context)


def plan_versions_compare(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan, _ = public_version(partnership, period)
    versions = {v.number: v for v in plan.versions.all()}
    try:
        old = versions[int(request.GET.get("from", ""))]
        new = versions[int(request.GET.get("to", ""))]
    except (KeyError, ValueError):
        raise Http404("Choose two published versions to compare.") from None
    diff = compare(public_view(old.data), public_view(new.data))
    context = {"plan": plan, "old": old, "new": new, "diff": diff}
    return render(request, "lifecycle/plan_versions_compare.html", context)


def plan_pdf(
    request: HttpRequest, partnership: str, period: str, number: int | None = None
) -> HttpResponse:
    """A published version's PDF, from storage: drawn once, by the worker, when it was published
    (lifecycle/published_files.py); "being prepared" until then."""
    plan, version = public_version(partnership, period, number)
    return serve(request, plan, version, "pdf", latest=number is None)


@login_required
def plan_draft_pdf(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The live draft as a PDF, for the partnership's members: drawn while they wait, so only for
    a plan of at most DRAFT_PDF_MAX_ACTIONS actions; above that, a page that says what to do."""
    plan = fetch_plan(request.user, partnership, period)
    refusal = draft_pdf_refusal(plan)
    if refusal is not None:
        return render(request, "lifecycle/draft_pdf_too_large.html", {"plan": plan,
                      "refusal": refusal})  # fmt: skip
    response = HttpResponse(render_draft_pdf(plan), content_type="application/pdf")
    filename = f"{plan.partnership.slug}-{plan.period}-draft.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # members' text, and it changes
    return response
