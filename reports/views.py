"""The report pages: the list of a plan's reports, each quarterly progress report and the annual
review, on screen, as PDF and as Word; and the county view of an area (reports/county.py).

Members read and produce every report, restricted actions included, and its version for the
public (`?version=public`); a county analyst of the plan's area reads the version for the public
only; anyone else finds nothing. What a report says is computed once (reports/content.py) and
laid out three ways.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from partners.models import Area
from partners.permissions import can
from priorities.access import plan_or_404
from priorities.models import Plan
from reports.content import Report, annual_review, quarterly_report
from reports.county import area_overview
from reports.documents import report_charts, report_docx, report_pdf
from tracking.models import ReportingPeriod
from tracking.reporting import reporting_periods

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _plan(user: Any, partnership: str, period: str) -> Plan:
    """The plan, if the person may read its reports: 404 for anyone else."""
    plan = plan_or_404(partnership, period)
    if not can(user, "reports.view_report", plan):
        raise Http404("No such plan.")
    return plan


def _public(request: HttpRequest, plan: Plan) -> bool:
    """The version for the public: asked for, or the only one the person may read."""
    asked = request.GET.get("version") == "public"
    return asked or not can(request.user, "reports.view_full_report", plan)


def _period(plan: Plan, number: int) -> ReportingPeriod:
    periods = reporting_periods(plan)
    if not 1 <= number <= len(periods):
        raise Http404("The plan has no such reporting period.")
    return periods[number - 1]


@login_required
def report_index(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = _plan(request.user, partnership, period)
    context = {
        "plan": plan,
        "periods": list(enumerate(reporting_periods(plan), start=1)),
        "can_full": can(request.user, "reports.view_full_report", plan),
        "member": can(request.user, "priorities.use_workspace", plan),
        "year_ended": timezone.localdate() > plan.period_end,
    }
    return render(request, "reports/report_index.html", context)


def _filename(plan: Plan, report: Report, extension: str) -> str:
    name = "annual-review" if report.kind == "annual" else report.period_name.split()[-1].lower()
    public = "-public" if report.public else ""
    return f"{plan.partnership.slug}-{plan.period}-{name}{public}.{extension}"


def _suffix(report: Report) -> str:
    return "?version=public" if report.public else ""


def _respond(
    request: HttpRequest, plan: Plan, report: Report, fmt: str, urls: tuple[str, str, str]
) -> HttpResponse:
    """The report as `fmt` ("pdf", "docx" or the page); `urls` are its PDF's, its Word
    document's and its page's addresses."""
    if fmt == "pdf" and len(report.actions) > settings.DRAFT_PDF_MAX_ACTIONS:
        # Drawn while the person waits (about 25 ms of CPU an action): a large plan's report is
        # read on screen or in Word, which are quick at any size.
        context = {
            "plan": plan,
            "report": report,
            "limit": settings.DRAFT_PDF_MAX_ACTIONS,
            "docx_url": urls[1] + _suffix(report),
            "page_url": urls[2] + _suffix(report),
        }
        response = render(request, "reports/report_pdf_too_large.html", context)
    elif fmt == "pdf":
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{_filename(plan, report, "pdf")}"'
    elif fmt == "docx":
        response = HttpResponse(report_docx(report), content_type=DOCX)
        disposition = f'attachment; filename="{_filename(plan, report, "docx")}"'
        response["Content-Disposition"] = disposition
    else:
        suffix = _suffix(report)
        context = {
            "plan": plan,
            "report": report,
            "charts": report_charts(report),
            "can_full": can(request.user, "reports.view_full_report", plan),
            "member": can(request.user, "priorities.use_workspace", plan),
            "pdf_url": urls[0] + suffix,
            "docx_url": urls[1] + suffix,
        }
        response = render(request, "reports/report_detail.html", context)
    # Members' data, produced on demand: no shared cache keeps it.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _report_view(fmt: str) -> Callable[..., HttpResponse]:
    @login_required
    def view(request: HttpRequest, partnership: str, period: str, number: int) -> HttpResponse:
        plan = _plan(request.user, partnership, period)
        report = quarterly_report(plan, _period(plan, number), public=_public(request, plan))
        args = [partnership, period, number]
        urls = (
            _url("report_quarterly_pdf", args),
            _url("report_quarterly_docx", args),
            _url("report_quarterly", args),
        )
        return _respond(request, plan, report, fmt, urls)

    return view


def _annual_view(fmt: str) -> Callable[..., HttpResponse]:
    @login_required
    def view(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
        plan = _plan(request.user, partnership, period)
        report = annual_review(plan, public=_public(request, plan))
        args = [partnership, period]
        urls = (
            _url("report_annual_pdf", args),
            _url("report_annual_docx", args),
            _url("report_annual", args),
        )
        return _respond(request, plan, report, fmt, urls)

    return view


def _url(name: str, args: list[Any]) -> str:
    return reverse(name, args=args)


report_quarterly = _report_view("html")
report_quarterly_pdf = _report_view("pdf")
report_quarterly_docx = _report_view("docx")
report_annual = _annual_view("html")
report_annual_pdf = _annual_view("pdf")
report_annual_docx = _annual_view("docx")


@login_required
def area_view(request: HttpRequest, area: str) -> HttpResponse:
    """The county view: an area's partnerships side by side, for its analysts (and admins)."""
    found = get_object_or_404(Area, slug=area)
    if not can(request.user, "partners.view_area", found):
        raise Http404("No such area.")
    overview = area_overview(
        found, period=request.GET.get("period", ""), measure=request.GET.get("measure", "")
    )
    return render(request, "reports/area_overview.html", {"area": found, "overview": overview})
