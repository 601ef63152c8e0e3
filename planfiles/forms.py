"""The upload form of the plan's "Import actions" page: it reads the file, or says why not.

The file is the canonical plan file, a Word document or a spreadsheet laid out its own way
(planfiles/format.py, `read_plan_file`)."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.files.uploadedfile import UploadedFile

from planfiles.format import (
    PlanFileRefused,
    PlanFileTable,
    check_size,
    describe_size,
    kind_for_filename,
    max_bytes,
    read_plan_file,
)


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label="Plan file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.docx"}),
        error_messages={
            "required": "Choose the plan file to upload.",
            "empty": "The file is empty. Upload a plan file with a header row and rows.",
        },
    )
    create_missing = forms.BooleanField(
        required=False,
        label="Create agencies and themes the file names that do not exist yet",
        help_text="Without this, a name we do not know stops the import, so that a misspelt "
        "agency is not added by mistake. With it, new agencies and themes are created, and "
        "known agencies the file names join the partnership.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A Word document (.docx), an Excel workbook (.xlsx) or a CSV file saved as UTF-8 "
            f"(“CSV UTF-8 (Comma delimited)” in Excel), up to {describe_size(max_bytes())}."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.table: PlanFileTable | None = None
        self.data_bytes = b""

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        try:
            kind = kind_for_filename(upload.name)
            # Before reading: a file over the limit is refused without loading it.
            check_size(upload.size)
            data = b"".join(upload.chunks())
            self.table = read_plan_file(data, kind=kind, filename=upload.name)
        except PlanFileRefused as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        self.data_bytes = data
        return upload
