"""Files in and out on the site: the plan file's "Import actions" pages (upload → preview →
confirm or cancel), the exports, published versions as files, and the members' CSV downloads.

The preview step keeps the uploaded file in the person's session under a one-time token, so the
confirmation imports exactly the file that was previewed. Confirming imports exactly once, however
many times the button is pressed at once: each confirmation takes the plan's row lock (on SQLite,
the write lock every transaction begins with), and the import records its token as done
(`ConfirmedImport`) in the same transaction; every other confirmation then finds it done and
answers so. An import that fails half-way records nothing, and its file stays in the session,
so it can be confirmed again.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import zlib
from collections.abc import Collection

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lifecycle.published_files import serve
from lifecycle.snapshot import public_view
from lifecycle.versions import public_version
from partners.names import fold_name
from planfiles.columns import IGNORE, KNOWN, ROLE_LABELS, ROLES, heading_key
from planfiles.exporter import PlanExportError, plan_export, version_export
from planfiles.format import (
    EXPORT_FORMATS,
    HEADER,
    PlanFileRefused,
    PlanFileTable,
    read_plan_file,
)
from planfiles.forms import PlanImportForm
from planfiles.importer import plan_import
from planfiles.models import ConfirmedImport
from planfiles.report import ImportReport
from planfiles.same_as import CREATE, import_names_same_as, may_choose_same_as, same_as_choices
from planfiles.tracking_export import figures_csv, updates_csv
from priorities.access import fetch_plan
from priorities.models import Plan

SESSION_KEY = "plan_file_import"
ALREADY_DONE = (
    "This import is already done: the file was imported when its import was first confirmed. "
    "Nothing more was changed."
)


class _AlreadyDone(Exception):
    pass


def _import_url(plan: Plan) -> str:
    kwargs = {"partnership": plan.partnership.slug, "period": plan.period}
    return reverse("plan_import", kwargs=kwargs)


@login_required
def plan_import_view(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="planfiles.import_plan")
    form = PlanImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    report = None
    if request.method == "POST" and form.is_valid() and form.table is not None:
        create_missing = form.cleaned_data["create_missing"]
        report = plan_import(
            table=form.table,
            user=request.user,
            create_missing=create_missing,
            dry_run=True,
            into=plan,
        )
        if report.ok or not form.table.canonical or report.only_unknown_agencies:
            # A file laid out its own way is previewed even with problems: choosing what a
            # column holds may be all it needs; so is a file whose only problems are agency
            # names we do not know: choosing what each name is.
            token = _keep_upload(request, plan, form, create_missing)
            return _preview(request, plan, report, token)
        count = len(report.errors)
        form.add_error(
            "file",
            f"The file has {count} problem{'s' if count != 1 else ''}, so nothing was imported. "
            "They are listed below by row and column: correct them and upload the file again.",
        )
    context = {"plan": plan, "form": form, "report": report, "header": ",".join(HEADER)}
    return render(request, "planfiles/plan_import.html", context)


@login_required
@require_POST
def plan_import_confirm(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="planfiles.import_plan")
    token = request.POST.get("token", "")
    pending = _pending_upload(request, plan, token)
    done = _is_done(token)
    if pending is None or done:
        _forget_upload(request, token)
        if done:
            messages.info(request, ALREADY_DONE)
        else:
            messages.info(
                request,
                "There is no import waiting to be confirmed: it was cancelled, or replaced by a "
                "newer upload. Nothing was changed.",
            )
        return redirect(plan.get_workspace_url())
    try:
        table = _read_pending(pending)
    except PlanFileRefused:  # it was read at upload; only a change of settings could do this
        _forget_upload(request, token)
        messages.error(request, "The file could not be read again. Upload it again.")
        return redirect(_import_url(plan))
    try:
        report = _import_once(request, plan, table, pending, token)
    except _AlreadyDone:
        _forget_upload(request, token)
        messages.info(request, ALREADY_DONE)
        return redirect(plan.get_workspace_url())
    _forget_upload(request, token)
    if not report.ok:
        # The plan changed between the preview and the confirmation.
        form = PlanImportForm()
        context = {"plan": plan, "form": form, "report": report, "header": ",".join(HEADER)}
        return render(request, "planfiles/plan_import.html", context, status=409)
    messages.success(request, _done_message(report))
    return redirect(plan.get_workspace_url())


def _import_once(
    request: HttpRequest, plan: Plan, table: PlanFileTable, pending: dict, token: str
) -> ImportReport:
    """Import the file and record its token as done, in one transaction; or raise _AlreadyDone
    if another confirmation of the same import did it first."""
    try:
        with transaction.atomic():
            # Confirmations of one plan's imports wait for each other here, so each sees whether
            # the one before it did this import.
            Plan.objects.select_for_update().filter(pk=plan.pk).exists()
            if _is_done(token):
                raise _AlreadyDone
            report = plan_import(
                table=table,
                user=request.user,
                create_missing=pending["create_missing"],
                create_agencies=pending.get("create_agencies", ()),
                into=plan,
            )
            if report.ok:
                ConfirmedImport.objects.create(
                    token_hash=_token_hash(token),
                    plan=plan,
                    filename=table.filename[:255],
                    confirmed_by=request.user if request.user.is_authenticated else None,
                )
    except IntegrityError:  # the token recorded meanwhile: another confirmation did it
        raise _AlreadyDone from None
    return report


@login_required
@require_POST
def plan_import_columns(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The preview again, with the columns read as the person chose (a file laid out its own
    way): the same kept upload, a new token."""
    plan = fetch_plan(request.user, partnership, period, perm="planfiles.import_plan")
    pending = _pending_upload(request, plan, request.POST.get("token", ""))
    if pending is None:
        return _nothing_waiting(request, plan)
    choices = _choices_from(request.POST)
    create_missing = request.POST.get("create_missing") == "on"
    try:
        table = read_plan_file(
            pending["data"], kind=pending["kind"], filename=pending["filename"], columns=choices
        )
    except PlanFileRefused as exc:
        messages.error(request, f"With those columns the file cannot be read: {exc.message}")
        table = _read_pending(pending)
        choices, create_missing = pending.get("choices") or {}, pending["create_missing"]
    pending = pending | {"choices": choices, "create_missing": create_missing}
    return _preview_again(request, plan, table, pending)


@login_required
@require_POST
def plan_import_names(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    """The preview again, with the agency names the file uses that we do not know resolved as
    the person chose: each a new agency (created if the import is confirmed) or the same as an
    agency of the partnership (its other name from now on). A choice refused records nothing,
    and the same kept upload is previewed again."""
    plan = fetch_plan(request.user, partnership, period, perm="planfiles.import_plan")
    pending = _pending_upload(request, plan, request.POST.get("token", ""))
    if pending is None:
        return _nothing_waiting(request, plan)
    chosen = _names_chosen(request.POST)
    same_as = {name: int(value) for name, value in chosen.items() if value not in ("", CREATE)}
    try:
        added = (
            import_names_same_as(plan=plan, user=request.user, same_as=same_as) if same_as else []
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"Nothing was recorded: {message}")
        return _preview_again(request, plan, _read_pending(pending), pending, chosen=chosen)
    for alias in added:
        messages.success(
            request, f"Files and forms now find {alias.agency.name} by “{alias.name}” too."
        )
    # A name chosen again is decided anew: created, the same as an agency, or not yet decided.
    decided = {fold_name(name) for name in chosen}
    create = [name for name in pending.get("create_agencies", []) if fold_name(name) not in decided]
    create += [name for name, value in chosen.items() if value == CREATE]
    pending = pending | {"create_agencies": create}
    return _preview_again(request, plan, _read_pending(pending), pending)


def _nothing_waiting(request: HttpRequest, plan: Plan) -> HttpResponse:
    messages.info(
        request,
        "There is no import waiting: it was done already, cancelled, or replaced by a newer "
        "upload. Upload the file again.",
    )
    return redirect(_import_url(plan))


_AGENCY_ID = re.compile(r"[0-9]{1,12}")


def _numbered_rows(data: dict, count: str, *fields: str) -> list[tuple[str, ...]]:
    """The rows of a form that numbers its fields (`<field>-0`, `<field>-1`, …, with how many in
    `count`), at most 200; none when the count is not a number."""
    try:
        rows = min(int(data.get(count, 0)), 200)
    except ValueError:
        return []
    return [tuple(data.get(f"{field}-{number}", "") for field in fields) for number in range(rows)]


def _names_chosen(data: dict) -> dict[str, str]:
    """The choice for each name the preview asked about: "" (not decided yet), CREATE, or an
    agency's id."""
    chosen: dict[str, str] = {}
    for name, value in _numbered_rows(data, "names", "name", "agency"):
        name = " ".join(name.split())
        if name and (value in ("", CREATE) or _AGENCY_ID.fullmatch(value)):
            chosen[name] = value
    return chosen


def _preview_again(
    request: HttpRequest,
    plan: Plan,
    table: PlanFileTable,
    pending: dict,
    chosen: dict[str, str] | None = None,
) -> HttpResponse:
    """The kept upload checked again as `pending` now says (its columns, what to create), under
    a new token."""
    report = plan_import(
        table=table,
        user=request.user,
        create_missing=pending["create_missing"],
        create_agencies=pending.get("create_agencies", ()),
        dry_run=True,
        into=plan,
    )
    token = _renew_upload(request, pending)
    return _preview(request, plan, report, token, pending.get("create_agencies", ()), chosen)


def _preview(
    request: HttpRequest,
    plan: Plan,
    report: ImportReport,
    token: str,
    create_agencies: Collection[str] = (),
    chosen: dict[str, str] | None = None,
) -> HttpResponse:
    context = {
        "plan": plan,
        "report": report,
        "token": token,
        "columns": _columns_to_choose(report),
        "roles": [(role, ROLE_LABELS[role]) for role in (*ROLES, IGNORE)],
        "names": _names_to_choose(report, create_agencies, chosen or {}),
        "may_choose_same_as": may_choose_same_as(request.user, plan),
        "agencies": same_as_choices(plan),
        "create": CREATE,
    }
    return render(request, "planfiles/plan_import_preview.html", context)


def _names_to_choose(
    report: ImportReport, create_agencies: Collection[str], chosen: dict[str, str]
) -> list[dict[str, str]]:
    """The agency names the file uses that we do not know, each with its choice: those not
    decided yet, then those the person chose to create (they may change their mind). A name
    written several ways ("Youth Trust", "YOUTH TRUST") is one choice, as it is one agency."""
    unknown = [
        name for summary in report.unknown if summary.kind == "agency" for name in summary.names
    ]
    created = {fold_name(name) for name in create_agencies}
    unknown += [name for name in report.agencies_created if fold_name(name) in created]
    once = {fold_name(name): name for name in reversed(unknown)}  # the first spelling
    return [
        {"name": name, "choice": chosen.get(name, CREATE if folded in created else "")}
        for folded, name in reversed(once.items())
    ]


def _columns_to_choose(report: ImportReport) -> list[dict[str, str]]:
    """Each heading of the file's header rows once, with what it is read as, for the choice per
    column (the theme names of the seed's layout are the layout's, not a choice)."""
    columns: dict[str, dict[str, str]] = {}
    for info in report.tables:
        for column in info.columns:
            if column.how == "layout" or not column.key or column.key in columns:
                continue
            columns[column.key] = {"heading": column.heading, "role": column.role or IGNORE}
    return list(columns.values())


def _choices_from(data: dict) -> dict[str, str]:
    """The columns the person chose, where they differ from what the headings say."""
    choices: dict[str, str] = {}
    for heading, role in _numbered_rows(data, "columns", "heading", "role"):
        key = heading_key(heading)
        if not key or role not in (*ROLES, IGNORE):
            continue
        if role != KNOWN.get(key, IGNORE):
            choices[key] = role
    return choices


@login_required
@require_POST
def plan_import_cancel(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="planfiles.import_plan")
    token = request.POST.get("token", "")
    if _pending_upload(request, plan, token) is not None:
        _forget_upload(request, token)
    messages.info(request, "The import was cancelled. Nothing was changed.")
    return redirect(_import_url(plan))


@login_required
def plan_export_view(request: HttpRequest, partnership: str, period: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    plan = fetch_plan(request.user, partnership, period, perm="planfiles.export_plan")
    try:
        data, content_type, filename = plan_export(plan, fmt)
    except PlanExportError as exc:
        messages.error(request, str(exc))
        return redirect(plan.get_workspace_url())
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _done_message(report: ImportReport) -> str:
    parts = [
        f"{report.created} action{'s' if report.created != 1 else ''} added",
        f"{report.updated} changed",
        f"{report.unchanged} unchanged",
    ]
    if report.priorities_created:
        count = len(report.priorities_created)
        parts.append(f"{count} new priorit{'ies' if count != 1 else 'y'}")
    return f"Imported {report.filename}: " + ", ".join(parts) + "."


# -- The uploaded file between the preview and the confirmation.


def _keep_upload(
    request: HttpRequest, plan: Plan, form: PlanImportForm, create_missing: bool
) -> str:
    table = form.table
    assert table is not None  # a valid form has read its file
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "plan": plan.pk,
        "filename": table.filename,
        "kind": table.kind,
        "create_missing": bool(create_missing),
        "choices": {},  # the columns the person chose, for a file laid out its own way
        "create_agencies": [],  # the unknown agency names the person chose to create
        # Compressed: a CSV shrinks to a fraction; the session holds it only until confirmed.
        "data": base64.b64encode(zlib.compress(form.data_bytes)).decode("ascii"),
    }
    return token


def _read_pending(pending: dict) -> PlanFileTable:
    """The kept upload read again, with the columns chosen in the preview."""
    return read_plan_file(
        pending["data"],
        kind=pending["kind"],
        filename=pending["filename"],
        columns=pending.get("choices") or None,
    )


def _renew_upload(request: HttpRequest, pending: dict) -> str:
    """A new token for the kept upload, now to be read with these columns and to create these
    agencies."""
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = request.session[SESSION_KEY] | {
        "token": token,
        "choices": pending.get("choices") or {},
        "create_missing": bool(pending["create_missing"]),
        "create_agencies": list(pending.get("create_agencies", ())),
    }
    return token


def _pending_upload(request: HttpRequest, plan: Plan, token: str) -> dict | None:
    """The upload kept for this token and plan (left in the session), or None."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending["token"].encode(), token.encode()):
        return None
    if pending["plan"] != plan.pk:
        return None
    return pending | {"data": zlib.decompress(base64.b64decode(pending["data"]))}


def _forget_upload(request: HttpRequest, token: str) -> None:
    """Take the upload kept for this token out of the session, if it is there."""
    pending = request.session.get(SESSION_KEY)
    if pending and secrets.compare_digest(pending["token"].encode(), token.encode()):
        del request.session[SESSION_KEY]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _is_done(token: str) -> bool:
    return bool(token) and ConfirmedImport.objects.filter(token_hash=_token_hash(token)).exists()


# -- Published versions as plan files, for everyone.


def plan_version_file(
    request: HttpRequest, partnership: str, period: str, number: int, fmt: str
) -> HttpResponse:
    """The canonical plan file (CSV, XLSX or JSON) of a published version, as the public reads it:
    restricted actions only as "Restricted action led by …". The Word document comes from storage
    (lifecycle/published_files.py); the others are quick to write."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    plan, version = public_version(partnership, period, number)
    if fmt == "docx":
        # Drawn once, when the version was published, and served from storage.
        return serve(request, plan, version, "docx", latest=False)
    filename = f"{plan.partnership.slug}-{plan.period}-v{version.number}-plan.{fmt}"
    data, content_type, filename = version_export(public_view(version.data), fmt, filename=filename)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- Members' downloads of the year's progress updates and figures.


def _csv_download(content: bytes, plan: Plan, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"{plan.partnership.slug}-{plan.period}-{name}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Members' data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def progress_updates_csv(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    return _csv_download(updates_csv(plan), plan, "progress-updates")


@login_required
def plan_figures_csv(request: HttpRequest, partnership: str, period: str) -> HttpResponse:
    plan = fetch_plan(request.user, partnership, period, perm="tracking.view_tracking")
    return _csv_download(figures_csv(plan), plan, "figures")
