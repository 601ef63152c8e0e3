from __future__ import annotations

from pathlib import PurePath

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from partners.models import Agency
from priorities.models import Plan, StrategicAssessment

PDF_MAGIC = b"%PDF-"


def max_upload_bytes() -> int:
    return int(getattr(settings, "ASSESSMENT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


class StrategicAssessmentForm(forms.ModelForm):
    remove_document = forms.BooleanField(
        label="Remove the PDF attached now",
        required=False,
        help_text="The link, if there is one, stays.",
    )
    url = forms.URLField(
        label="Link to the assessment",
        required=False,
        max_length=StrategicAssessment._meta.get_field("url").max_length,
        assume_scheme="https",
        help_text="Where it is published, if it is. Give a link, a PDF, or both.",
    )

    class Meta:
        model = StrategicAssessment
        fields = ["title", "author", "date", "summary", "url", "document"]
        labels = {
            "title": "Title",
            "author": "Written by",
            "date": "Date",
            "document": "The assessment as a PDF",
        }
        help_texts = {
            "title": "e.g. “Lichfield District Strategic Assessment 2020”.",
            "author": "The agency that wrote it, e.g. the county council's strategy team.",
            "summary": "What it found, in a few paragraphs: members and, once the plan is "
            "published, the public read it.",
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 6}),
            # Not ClearableFileInput: it links to the file's media URL, which is never served
            # (the PDF goes through a permission-checked view). `remove_document` clears it.
            "document": forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The author is often outside the partnership (the county's strategy team).
        self.fields["author"].queryset = Agency.objects.order_by("name")
        self.fields["author"].empty_label = "Not given"
        limit = filesizeformat(max_upload_bytes())
        if self.instance.pk and self.instance.document:
            self.fields[
                "document"
            ].help_text = (
                f"A PDF is attached now. Choose a file to replace it (a PDF of at most {limit})."
            )
        else:
            del self.fields["remove_document"]
            self.fields["document"].help_text = (
                f"A PDF file of at most {limit}. Members and, once the plan is published, the "
                "public can download it."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not isinstance(document, UploadedFile):
            return document  # unchanged (the file already saved), cleared, or none
        name = PurePath(document.name or "").name
        limit = max_upload_bytes()
        if document.size > limit:
            raise forms.ValidationError(
                f"“{name}” is {filesizeformat(document.size)}; the largest PDF we accept is "
                f"{filesizeformat(limit)}. Save a smaller PDF (for example without high-resolution "
                "images) or give a link to the assessment instead.",
                code="too_big",
            )
        if PurePath(name).suffix.lower() != ".pdf":
            raise forms.ValidationError(
                f"“{name}” is not a PDF file. Save or export the assessment as a PDF (.pdf) and "
                "upload that.",
                code="not_pdf",
            )
        document.seek(0)
        head = document.read(len(PDF_MAGIC))
        document.seek(0)
        if head != PDF_MAGIC:
            raise forms.ValidationError(
                f"“{name}” is named .pdf but is not a PDF file. Save or export the assessment as "
                "a PDF and upload that.",
                code="not_pdf",
            )
        # A name of our own: the uploader's file name may say more than the page should.
        document.name = f"{self.plan.partnership.slug}-{self.plan.period}-strategic-assessment.pdf"
        return document

    def clean(self):
        cleaned = super().clean()
        new_upload = isinstance(cleaned.get("document"), UploadedFile)
        if cleaned.get("remove_document") and not new_upload and "document" not in self.errors:
            cleaned["document"] = False  # the model form then empties the field
        given = cleaned.get("url") or cleaned.get("document")
        if not given and "document" not in self.errors and "url" not in self.errors:
            raise forms.ValidationError(
                "Give a link to the assessment, upload it as a PDF, or both.", code="no_source"
            )
        return cleaned
