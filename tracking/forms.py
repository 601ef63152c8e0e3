"""The forms of the year's tracking: progress updates, measures, figures, commissioned services and
the Strategic Assessment. They validate and normalise; the services in tracking/ act."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Literal

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from actions.models import Outcome
from partners.models import Agency
from priorities.models import Plan
from tracking.models import CommissionedService, Measure, ProgressUpdate, StrategicAssessment
from tracking.periods import period_label, periods

PDF_MAGIC = b"%PDF-"


def max_upload_bytes() -> int:
    return int(getattr(settings, "ASSESSMENT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


class FieldsOnly:
    """A form mixin: crispy draws the fields only, as the page's template writes the <form> tag
    and the CSRF token."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ProgressUpdateForm(FieldsOnly, forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["date", "rag", "percent_complete", "narrative"]
        labels = {"rag": "RAG status", "percent_complete": "Percentage complete (optional)"}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rag": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 5}),
        }


class MeasureForm(FieldsOnly, forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "name",
            "unit",
            "definition",
            "frequency",
            "priority",
            "outcomes",
            "baseline_period",
            "baseline",
            "target",
            "target_description",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["priority"].queryset = plan.priorities.order_by("order", "pk")
        self.fields["outcomes"].queryset = Outcome.objects.filter(
            action__priority__plan=plan
        ).order_by("action__priority__order", "action__order", "order")


class FigureForm(FieldsOnly, forms.Form):
    """One agency's figure for one period of a measure."""

    agency = forms.ModelChoiceField(queryset=None, label="Agency", empty_label=None)
    period = forms.TypedChoiceField(label="Period", coerce=datetime.date.fromisoformat)
    value = forms.DecimalField(label="Figure", max_digits=12, decimal_places=2, min_value=0)
    confidence = forms.CharField(
        label="Confidence note (optional)",
        required=False,
        max_length=300,
        help_text="How sure the figure is, e.g. “provisional: March not yet validated”.",
    )

    def __init__(
        self, *args: Any, measure: Measure, agencies: QuerySet[Agency], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        plan = measure.plan
        first = plan.period_start - datetime.timedelta(days=2 * 365)
        last = min(plan.period_end, timezone.localdate())
        self.fields["agency"].queryset = agencies
        self.fields["period"].choices = [
            (start.isoformat(), period_label(start, measure.frequency))
            for start in reversed(periods(first, last, measure.frequency))
        ]
        self.fields["value"].label = f"Figure ({measure.unit})"


class MoneyField(forms.DecimalField):
    """An amount in pounds as people type it: “12500”, “12,500.00” or “£12,500”."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


class CommissionedServiceForm(FieldsOnly, forms.ModelForm):
    amount = MoneyField(
        label="Amount (£)",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text="In pounds, e.g. 12,500 or 12500.00.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    class Meta:
        model = CommissionedService
        fields = ["provider", "funding_source", "amount", "notes"]
        labels = {"provider": "Provider", "funding_source": "Funding source", "notes": "Notes"}
        help_texts = {
            "provider": "Who delivers the service, e.g. a charity or a company.",
            "notes": "Optional, e.g. the contract's dates or reference.",
        }


class StrategicAssessmentForm(FieldsOnly, forms.ModelForm):
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

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
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

    def clean_document(self) -> File | Literal[False] | None:
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

    def clean(self) -> dict[str, Any]:
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

    def assessment_values(self) -> dict[str, Any]:
        """The form's values for tracking.assessment.assessment_save."""
        data = self.cleaned_data
        document = data.get("document")
        return {
            "title": data["title"],
            "author": data.get("author"),
            "date": data.get("date"),
            "summary": data.get("summary", ""),
            "url": data.get("url", ""),
            "document": document if isinstance(document, UploadedFile) else None,
            "remove_document": document is False,
        }
