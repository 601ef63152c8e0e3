"""Through the year: the plan's progress updates and figures as CSV downloads for members, and
the commissioned services of an action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from actions.figures_file import figures_csv, updates_csv
from actions.funding import commissioned_service_add, commissioned_service_remove
from actions.funding_forms import CommissionedServiceForm
from partners.permissions import fetch_action, fetch_plan
from priorities.models import Plan


def _csv_download(content: bytes, plan: Plan, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"{plan.partnership.slug}-{plan.period}-{name}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Members' data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def progress_updates_csv(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.view_tracking")
    return _csv_download(updates_csv(plan), plan, "progress-updates")


@login_required
def plan_figures_csv(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="actions.view_tracking")
    return _csv_download(figures_csv(plan), plan, "figures")


@login_required
def action_services(request: HttpRequest, pk: int) -> HttpResponse:
    """The services commissioned to deliver an action: listed, and one more recorded."""
    action = fetch_action(request.user, pk, perm="actions.record_funding")
    form = CommissionedServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = commissioned_service_add(action=action, form=form, user=request.user)
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
    return render(request, "actions/tracking/services_manage.html", context)


@login_required
@require_POST
def action_service_remove(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    action = fetch_action(request.user, pk, perm="actions.record_funding")
    service = get_object_or_404(action.services, pk=service_pk)
    commissioned_service_remove(service=service, user=request.user)
    messages.success(request, f"The service by {service.provider} was removed.")
    return redirect("action_services", pk=action.pk)
