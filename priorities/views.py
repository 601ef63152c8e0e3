from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.charts import line_chart
from actions.filters import ActionFilter
from actions.history import plan_changes_since
from actions.layout import plan_actions, plan_matrix
from actions.models import Action, ProgressUpdate
from actions.plan_file.exporter import version_export
from actions.plan_file.format import EXPORT_FORMATS
from actions.tracking import measures_data, with_latest_update
from partners.models import Partnership
from partners.permissions import agency_ids, can, fetch_plan, fetch_priority
from priorities.forms import AgreementForm, MarkAgreedForm, PriorityForm
from priorities.models import Plan
from priorities.pdf import render_plan_pdf
from priorities.public_cache import PAGE, PDF, cache_public_page
from priorities.readiness import answers_cleared_by_edits, plan_readiness
from priorities.services import (
    plan_amend,
    plan_answer,
    plan_mark_agreed,
    plan_publish,
    plan_reopen_draft,
    plan_send_for_agreement,
    plan_start_next_year,
    priority_create,
    priority_delete,
    priority_move,
    priority_update,
)
from priorities.snapshot import compare, plan_snapshot, public_view
from priorities.snapshot import sections as snapshot_sections


def home(request: HttpRequest) -> HttpResponse:
    """Every partnership and the plans this visitor may read."""
    plans = Plan.objects.visible_to(request.user).order_by("-period_start")
    partnerships = Partnership.objects.prefetch_related(
        Prefetch("plans", queryset=plans, to_attr="visible_plans")
    ).order_by("name")
    return render(request, "priorities/home.html", {"partnerships": partnerships})


@cache_public_page(PAGE)
def plan_detail(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The public plan: its latest published version for anyone; before the first publication,
    the live draft for the partnership's members."""
    plan = _plan_or_404(partnership, period)
    if plan.has_published_version:
        return plan_version(request, partnership, period, plan.versions.latest().number)
    if not can(request.user, "priorities.view_plan", plan):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Outsiders learn nothing about another partnership's unpublished plans.
        raise Http404("No such plan.")
    context = _document_context(plan, plan_snapshot(plan), is_draft=True)
    return render(request, "priorities/plan_document.html", context)


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
    actions = with_latest_update(plan_actions(plan))
    filters = ActionFilter(request.GET or None, queryset=actions, plan=plan)
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
        "readiness": plan_readiness(plan),
        "rag_choices": ProgressUpdate.Rag.choices,
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


# -- The plan's life: readiness, agreement, publication, versions.


@login_required
def plan_readiness_view(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period)
    return _readiness_page(request, plan)


def _readiness_page(request, plan, agreed_form=None, status=200) -> HttpResponse:
    readiness = plan_readiness(plan)
    context = {
        "plan": plan,
        "readiness": readiness,
        "agreed_form": agreed_form or MarkAgreedForm(pending=readiness.pending),
        "can_run": can(request.user, "priorities.run_plan", plan),
        "can_answer": can(request.user, "priorities.answer_for_agency", plan),
        "versions": plan.versions.select_related("published_by").order_by("-number"),
    }
    return render(request, "priorities/plan_readiness.html", context, status=status)


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
            new_plan = plan_start_next_year(plan=plan, user=request.user)
            messages.success(request, f"Next year's plan was started: {new_plan.title}.")
            return redirect(new_plan.get_workspace_url())
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
    plan = fetch_plan(request.user, partnership, period, perm="priorities.answer_for_agency")
    agencies = plan.partnership.core_agencies.filter(
        memberships__user=request.user, memberships__may_speak_for_agency=True
    ).order_by("name")
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
        "current": plan.agreements.filter(round=plan.consultation_round, agency__in=agencies),
        "earlier": earlier,
        "changes": plan_changes_since(plan, min(a.decided_at for a in earlier)) if earlier else [],
    }
    return render(request, "priorities/plan_agreement.html", context)


def _plan_or_404(partnership: str, period: str) -> Plan:
    plan = Plan.objects.at(partnership, period)
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _public_version(partnership: str, period: str, number: int | None = None):
    """A published version, for anyone: 404 while nothing has been published."""
    plan = _plan_or_404(partnership, period)
    versions = plan.versions.order_by("-number")
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404("No published version.")
    return plan, version


def _document_context(plan: Plan, data: dict, **extra) -> dict:
    """The plan document, with how its actions are going and its measures' figures to date."""
    rag = dict(ProgressUpdate.Rag.choices)
    latest = {
        a.pk: a
        for a in with_latest_update(Action.objects.filter(priority__plan=plan)).filter(
            latest_rag__isnull=False
        )
    }
    for action in data["actions"]:
        current = latest.get(action["id"])
        if current and not action["restricted"]:
            action["progress"] = {
                "rag": current.latest_rag,
                "label": rag[current.latest_rag],
                "date": current.latest_update_date,
                "percent": current.latest_percent,
            }
    measures = [(d, line_chart(d, f"measure-{d.measure.pk}")) for d in measures_data(plan)]
    return {
        "plan": plan,
        "data": data,
        "sections": snapshot_sections(data),
        "measures": measures,
        **extra,
    }


@cache_public_page(PAGE)
def plan_version(request: HttpRequest, partnership: str, period: str, number: int) -> HttpResponse:
    plan, version = _public_version(partnership, period, number)
    latest = plan.versions.order_by("-number").values_list("number", flat=True).first()
    context = _document_context(
        plan, public_view(version.data), version=version, is_latest=version.number == latest
    )
    return render(request, "priorities/plan_document.html", context)


def plan_versions(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan, _ = _public_version(partnership, period)
    versions = list(plan.versions.order_by("-number"))
    # The title as published: a draft revision's new title is not public yet.
    title = versions[0].data["plan"]["title"]
    context = {"plan": plan, "versions": versions, "title": title}
    return render(request, "priorities/plan_versions.html", context)


def plan_versions_compare(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan, _ = _public_version(partnership, period)
    versions = {v.number: v for v in plan.versions.all()}
    try:
        old = versions[int(request.GET.get("from", ""))]
        new = versions[int(request.GET.get("to", ""))]
    except (KeyError, ValueError):
        raise Http404("Choose two published versions to compare.") from None
    diff = compare(public_view(old.data), public_view(new.data))
    context = {"plan": plan, "old": old, "new": new, "diff": diff}
    return render(request, "priorities/plan_versions_compare.html", context)


@cache_public_page(PDF)
def plan_pdf(
    request: HttpRequest, partnership: str, period: str, number: int | None = None
) -> HttpResponse:
    plan, version = _public_version(partnership, period, number)
    pdf = render_plan_pdf(plan, version)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{plan.partnership.slug}-{plan.period}-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def plan_version_file(
    request: HttpRequest, partnership: str, period: str, number: int, fmt: str
) -> HttpResponse:
    """The canonical plan file (CSV, XLSX or JSON) of a published version, as the public reads it:
    restricted actions only as "Restricted action led by …"."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    plan, version = _public_version(partnership, period, number)
    filename = f"{plan.partnership.slug}-{plan.period}-v{version.number}-plan.{fmt}"
    data, content_type, filename = version_export(public_view(version.data), fmt, filename=filename)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
