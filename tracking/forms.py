"""The forms of the year's tracking: progress updates, measures, figures, commissioned services and
the Strategic Assessment. They validate and normalise; the services in tracking/ act."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Literal, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import Outcome
from partners.models import Agency
from priorities.models import Plan
from tracking.models import (
    CommissionedService,
    Measure,
    ProgressUpdate,
    ReportingPeriod,
    StrategicAssessment,
)
from tracking.periods import period_label, periods
from tracking.reporting import due_date_problems

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


# Each rating as the form explains it.
RAG_EXPLAINED = {
    ProgressUpdate.Rag.ON_TRACK: "On track: will be done by its target date",
    ProgressUpdate.Rag.AT_RISK: "At risk: may miss its target date unless something changes",
    ProgressUpdate.Rag.OFF_TRACK: "Off track: will miss its target date, or has stalled",
    ProgressUpdate.Rag.COMPLETE: "Complete: done (the action is marked completed)",
}
RAG_REQUIRED = "Choose how the action is going"
NARRATIVE_REQUIRED = "Say what has happened since the last update"
PERCENT_MESSAGES = {
    "invalid": "Enter the percentage complete as a whole number, like 40",
    "min_value": "Enter a percentage complete from 0 to 100",
    "max_value": "Enter a percentage complete from 0 to 100",
}


def rag_field(*, required: bool = True) -> forms.ChoiceField:
    """How the action is going: one of the ratings, each explained, with no blank choice."""
    return forms.ChoiceField(
        label="How is the action going?",
        choices=list(RAG_EXPLAINED.items()),
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": RAG_REQUIRED, "invalid_choice": RAG_REQUIRED},
    )


def percent_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Percentage complete (optional)",
        required=False,
        min_value=0,
        max_value=100,
        error_messages=PERCENT_MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ProgressUpdateForm(FieldsOnly, forms.ModelForm):
    rag = rag_field()
    percent_complete = percent_field()

    class Meta:
        model = ProgressUpdate
        fields = ["date", "rag", "percent_complete", "narrative"]
        labels = {"date": "Date", "narrative": "Narrative"}
        help_texts = {
            "date": "The day the update describes, usually today.",
            "narrative": "What has happened since the last update.",
        }
        error_messages = {
            "date": {
                "required": "Enter the date the update describes",
                "invalid": "Enter the date the update describes, like 30/06/2021",
            },
            "narrative": {"required": NARRATIVE_REQUIRED},
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "narrative": forms.Textarea(attrs={"rows": 5}),
        }


class ProgressRowForm(forms.Form):
    """One action's row of "Update my actions": left blank, it records nothing."""

    rag = rag_field(required=False)
    percent_complete = percent_field()
    narrative = forms.CharField(
        label="Narrative",
        help_text="What has happened since the last update.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["rag"].widget.attrs["class"] = "form-check-input"
        for name in ("percent_complete", "narrative"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def full_clean(self) -> None:
        super().full_clean()
        # The page draws the fields itself: mark the wrong ones, and tie them to their message.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    @property
    def is_blank(self) -> bool:
        """Nothing typed in the row."""
        return not any(
            str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.is_blank:
            return cleaned
        if not cleaned.get("rag") and "rag" not in self.errors:
            self.add_error("rag", RAG_REQUIRED)
        if not (cleaned.get("narrative") or "").strip() and "narrative" not in self.errors:
            self.add_error("narrative", NARRATIVE_REQUIRED)
        return cleaned


class ReportingCalendarForm(forms.Form):
    """The due date of each of a plan's reporting periods (fields due_1, due_2, …)."""

    def __init__(self, *args: Any, periods: list[ReportingPeriod], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = periods
        for number, period in enumerate(periods, start=1):
            updates = f"{period.name}'s updates"
            self.fields[f"due_{number}"] = forms.DateField(
                label=f"{period.name}: updates due by",
                initial=period.due,
                help_text=f"{date_format(period.start)} to {date_format(period.end)}",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": f"Enter the date {updates} are due by",
                    "invalid": f"Enter the date {updates} are due by, like 15/07/2021",
                },
            )

    def due_dates(self) -> dict[datetime.date, datetime.date]:
        """The due dates given, keyed by the day each period starts."""
        return {
            period.start: self.cleaned_data[f"due_{number}"]
            for number, period in enumerate(self.periods, start=1)
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        names = [f"due_{number}" for number in range(1, len(self.periods) + 1)]
        dues = [cleaned.get(name) for name in names]
        for index, message in due_date_problems(self.periods, dues).items():
            if names[index] not in self.errors:  # a blank or unreadable date is said already
                self.add_error(names[index], message)
        return cleaned


class FundingAllocationsForm(forms.Form):
    """What each funding source allocates to the plan (fields source_ldf, source_opfcc, …): a
    blank amount means the source allocates nothing on record."""

    def __init__(self, *args: Any, allocated: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for source, label in CommissionedService.Source.choices:
            self.fields[f"source_{source}"] = forms.DecimalField(
                label=f"{label} (£)",
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                initial=allocated.get(source),
                error_messages={
                    "invalid": f"Enter what {label} allocates in pounds, like 20000 or 2500.50",
                    "min_value": f"What {label} allocates cannot be less than £0",
                    "max_digits": f"What {label} allocates must be under £10,000,000,000",
                    "max_decimal_places": f"Enter what {label} allocates to the penny at most",
                },
            )

    def amounts(self) -> dict[str, Decimal | None]:
        """Each source's allocation as given (None: none recorded)."""
        return {
            source: self.cleaned_data[f"source_{source}"]
            for source in CommissionedService.Source.values
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
        error_messages = {
            "name": {"required": "Enter what the measure counts, like ASB incidents"},
            "unit": {"required": "Enter the unit the measure counts in, like incidents"},
            "frequency": {"required": "Choose how often the measure is counted"},
            "baseline": {"invalid": "Enter the baseline as a number, like 500"},
            "target": {"invalid": "Enter the target as a number, like 450"},
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        cast(forms.ModelChoiceField, self.fields["priority"]).queryset = plan.priorities.order_by(
            "order", "pk"
        )
        cast(forms.ModelChoiceField, self.fields["outcomes"]).queryset = Outcome.objects.filter(
            action__priority__plan=plan
        ).order_by("action__priority__order", "action__order", "order")


class FigureForm(FieldsOnly, forms.Form):
    """One agency's figure for one period of a measure."""

    agency: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        label="Agency",
        empty_label=None,
        error_messages={
            "required": "Choose the agency whose figure this is",
            "invalid_choice": "Choose one of your agencies: you enter only their figures",
        },
    )
    period = forms.TypedChoiceField(
        label="Period",
        coerce=datetime.date.fromisoformat,
        error_messages={
            "required": "Choose the period the figure is for",
            "invalid_choice": "Choose one of the periods listed",
        },
    )
    value = forms.DecimalField(
        label="Figure",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        error_messages={
            "required": "Enter the figure, like 84",
            "invalid": "Enter the figure as a number, like 84",
            "min_value": "Enter a figure of 0 or more",
        },
    )
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
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (start.isoformat(), period_label(start, measure.frequency))
            for start in reversed(periods(first, last, measure.frequency))
        ]
        self.fields["value"].label = f"Figure ({measure.unit})"


class MoneyField(forms.DecimalField):
    """An amount in pounds as people type it: “12500”, “12,500.00” or “£12,500”."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # stubs: int
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
        error_messages={
            "required": "Enter the amount in pounds, like 12,500",
            "invalid": "Enter the amount as a number of pounds, like 12,500",
            "min_value": "Enter an amount of £0 or more",
        },
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
        error_messages = {
            "provider": {"required": "Enter who provides the service"},
            "funding_source": {"required": "Choose where the money comes from"},
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
        error_messages={"invalid": "Enter the link as a web address, like https://example.org"},
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
        error_messages = {
            "title": {"required": "Enter the assessment's title"},
            "date": {"invalid": "Enter the date of the assessment, like 31/01/2021"},
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
        cast(forms.ModelChoiceField, self.fields["author"]).queryset = Agency.objects.order_by(
            "name"
        )
        cast(forms.ModelChoiceField, self.fields["author"]).empty_label = "Not given"
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
        size = document.size or 0
        if size > limit:
            raise forms.ValidationError(
                f"“{name}” is {filesizeformat(size)}; the largest PDF we accept is "
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
        super().clean()
        cleaned = self.cleaned_data
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
