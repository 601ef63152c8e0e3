"""The plan file in the Django admin: import and export on the actions list.

django-import-export opens its import and export pages to every staff user who can see the
list unless told otherwise (`IMPORT_EXPORT_IMPORT_PERMISSION_CODE` and its export twin default to
None, i.e. no check). Here the product's rules decide: superusers, and staff who coordinate a
partnership; the import then asks the rules about the very plan the file names, and the export
offers only the plans of partnerships they coordinate.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import Result

from actions.admin import ActionAdmin
from actions.models import Action
from lifecycle.admin import PublishedVersionAdmin
from lifecycle.models import PublishedVersion
from partners.permissions import can, coordinated_partnership_ids, is_admin
from planfiles.exporter import plan_filename, version_export
from planfiles.format import PlanFileRefused
from planfiles.resources import PlanCSV, PlanFileResource, PlanJSON, PlanXLSX
from priorities.models import Plan

CREATE_MISSING_HELP = (
    "Create the partnership, agencies and themes the file names that do not exist yet, and add "
    "known agencies to the partnership, instead of refusing the file."
)


class PlanFileImportForm(ImportForm):
    create_missing = forms.BooleanField(
        required=False,
        label="Create missing partnerships, agencies and themes",
        help_text=CREATE_MISSING_HELP,
    )


class PlanFileConfirmForm(ConfirmImportForm):
    create_missing = forms.BooleanField(required=False, widget=forms.HiddenInput)


def may_use_plan_files(user: Any) -> bool:
    """Superusers, and staff who coordinate at least one partnership."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(is_admin(user) or coordinated_partnership_ids(user))


class PlanFileAdminMixin(ImportExportMixin):
    """Import and export of the canonical plan file on the actions list."""

    resource_classes = [PlanFileResource]
    import_formats = [PlanCSV, PlanXLSX]
    export_formats = [PlanCSV, PlanXLSX, PlanJSON]
    import_form_class = PlanFileImportForm
    confirm_form_class = PlanFileConfirmForm
    export_form_class = ExportForm  # the file's columns are fixed: nothing to choose
    import_template_name = "planfiles/admin_import.html"

    def has_import_permission(self, request: HttpRequest) -> bool:
        return may_use_plan_files(request.user)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return may_use_plan_files(request.user)

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.get("form")
        request = kwargs.get("request")
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["create_missing"] = bool(form and form.cleaned_data.get("create_missing"))
        user = request.user if request is not None else None
        kwargs["allowed"] = lambda plan: can(user, "planfiles.import_plan", plan)
        return kwargs

    def get_confirm_form_initial(
        self, request: HttpRequest, import_form: forms.Form | None
    ) -> dict[str, Any]:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["create_missing"] = import_form.cleaned_data.get("create_missing", False)
        return initial

    def add_data_read_fail_error_to_form(self, form: forms.Form, e: Exception) -> None:
        if isinstance(e, PlanFileRefused):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # The confirmed file is removed once imported: this was a second click.
            messages.warning(request, "This import has already been done: nothing more changed.")
            return HttpResponseRedirect(self._changelist_url())

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        report = getattr(result, "plan_file_report", None)
        if report is not None and report.errors:
            # The plan changed between the preview and the confirmation.
            first = report.errors[0]
            messages.error(
                request,
                f"Nothing was imported: the file now has {len(report.errors)} problem(s), the "
                f"first being “{first}”. Upload the file again to see them all.",
            )
            return HttpResponseRedirect(self._changelist_url())
        return super().process_result(result, request)

    def _changelist_url(self) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name
        )

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Action]:
        queryset = super().get_export_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            priority__plan__partnership__in=coordinated_partnership_ids(request.user)
        )

    def get_export_filename(
        self, request: HttpRequest, queryset: QuerySet[Action], file_format: Format
    ) -> str:
        plan_ids = set(queryset.order_by().values_list("priority__plan", flat=True).distinct())
        if len(plan_ids) == 1:
            plan = Plan.objects.select_related("partnership").get(pk=plan_ids.pop())
            return plan_filename(plan, file_format.get_extension())
        return super().get_export_filename(request, queryset, file_format)


# The admin pages of actions and published versions, with their files (registered by the apps
# of those models; the files are this app's subject).
admin.site.unregister(Action)
admin.site.unregister(PublishedVersion)


@admin.register(Action)
class ActionWithPlanFileAdmin(PlanFileAdminMixin, ActionAdmin):
    """Import and export of the canonical plan file on the actions list, for superusers and
    partnership coordinators only."""


@admin.register(PublishedVersion)
class PublishedVersionWithFileAdmin(PublishedVersionAdmin):
    actions = ["download_plan_file", "download_word"]

    @admin.action(description="Download the plan file (CSV) of the selected version")
    def download_plan_file(
        self, request: HttpRequest, queryset: QuerySet[PublishedVersion]
    ) -> HttpResponse | None:
        return self._download(request, queryset, "csv")

    @admin.action(description="Download the selected version as a Word document")
    def download_word(
        self, request: HttpRequest, queryset: QuerySet[PublishedVersion]
    ) -> HttpResponse | None:
        return self._download(request, queryset, "docx")

    def _download(
        self, request: HttpRequest, queryset: QuerySet[PublishedVersion], fmt: str
    ) -> HttpResponse | None:
        """The frozen copy in full, as `export_plan --published-version` writes it."""
        if queryset.count() != 1:
            self.message_user(request, "Choose one version to download.", messages.ERROR)
            return None
        version = queryset.select_related("plan__partnership").get()
        plan = version.plan
        filename = f"{plan.partnership.slug}-{plan.period}-v{version.number}-plan.{fmt}"
        data, content_type, filename = version_export(version.data, fmt, filename=filename)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
