"""The forms of the plan's life: an agency's answer, the answers given at a board meeting, and the
coordinator's reasons to go ahead. Each error says what to do, naming the field's job."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from lifecycle.models import Agreement
from lifecycle.readiness import AgencyAnswer
from lifecycle.services import MeetingAnswer
from partners.models import Agency
from tracking.forms import FieldsOnly

AGREED, CHANGES = Agreement.Decision.AGREED, Agreement.Decision.CHANGES_REQUESTED


class AgreementForm(FieldsOnly, forms.Form):
    """An agency's answer to the plan, given by someone who speaks for it."""

    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Answering for",
        empty_label=None,
        error_messages={
            "required": "Choose the agency you are answering for",
            "invalid_choice": "Choose an agency you speak for",
        },
    )
    decision = forms.ChoiceField(
        label="The agency's answer",
        widget=forms.RadioSelect,
        choices=[
            (AGREED, "We agree the plan"),
            (CHANGES, "We ask for changes before we can agree"),
        ],
        error_messages={
            "required": "Choose whether your agency agrees or asks for changes",
            "invalid_choice": "Choose whether your agency agrees or asks for changes",
        },
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when asking for changes: say what should change.",
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == CHANGES and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Enter the changes your agency is asking for")
        return cleaned


ABSENT = ""
MEETING_CHOICES = [
    (AGREED, "Agreed the plan"),
    (CHANGES, "Asked for changes"),
    (ABSENT, "Absent, or did not decide (nothing is recorded)"),
]


class MeetingForm(forms.Form):
    """The answers core agencies gave at a board meeting, recorded by the coordinator: the
    meeting's date and minutes, then for each agency its answer (or none) and the changes asked."""

    date = forms.DateField(
        label="Date of the meeting",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter the date of the meeting as a real date, for example 22/04/2021",
        },
    )
    minutes_reference = forms.CharField(
        label="Minutes reference",
        max_length=200,
        help_text="Where the minutes record the answers, for example “Board minutes, item 5”.",
        error_messages={
            "required": "Enter where the minutes record the answers",
            "max_length": "The minutes reference must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, answers: list[AgencyAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = answers
        self.agencies = [row.agency for row in answers]
        for agency in self.agencies:
            self.fields[f"decision_{agency.pk}"] = forms.ChoiceField(
                label=f"{agency.name}'s answer",
                choices=MEETING_CHOICES,
                initial=ABSENT,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Choose whether {agency.name} agreed, asked for changes "
                    "or did not answer",
                },
            )
            self.fields[f"comment_{agency.pk}"] = forms.CharField(
                label=f"Changes {agency.name} asked for",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Only if it asked for changes.",
            )

    def rows(self) -> list[tuple[AgencyAnswer, forms.BoundField, forms.BoundField]]:
        """Each agency (with its answer so far) and its two fields, for the page to draw a group
        per agency."""
        return [
            (row, self[f"decision_{row.agency.pk}"], self[f"comment_{row.agency.pk}"])
            for row in self.current
        ]

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date of the meeting must be today or in the past")
        return date

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for agency in self.agencies:
            decision = cleaned.get(f"decision_{agency.pk}")
            if decision == CHANGES and not cleaned.get(f"comment_{agency.pk}", "").strip():
                self.add_error(f"comment_{agency.pk}", f"Enter the changes {agency.name} asked for")
        if not self.errors and not self.answers():
            raise forms.ValidationError(
                "Choose the answer of at least one agency: “Agreed the plan” or “Asked for changes”"
            )
        return cleaned

    def meeting_date(self) -> datetime.date:
        return self.cleaned_data["date"]

    def answers(self) -> dict[Agency, MeetingAnswer]:
        """The answers given, by agency; absent agencies are left out."""
        found = {}
        for agency in self.agencies:
            decision = self.cleaned_data.get(f"decision_{agency.pk}") or ABSENT
            if decision != ABSENT:
                comment = self.cleaned_data.get(f"comment_{agency.pk}", "")
                found[agency] = MeetingAnswer(decision, comment if decision == CHANGES else "")
        return found


class MarkAgreedForm(forms.Form):
    """The coordinator's reason, for each core agency that has not agreed, to go ahead anyway."""

    def __init__(self, *args: Any, pending: list[AgencyAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for answer in pending:
            name = answer.agency.name
            self.fields[f"reason_{answer.agency.pk}"] = forms.CharField(
                label=f"Why the plan goes ahead without {name}'s agreement",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "required": f"Enter why the plan goes ahead without {name}'s agreement"
                },
            )

    def reasons(self) -> dict[int, str]:
        return {
            int(name.removeprefix("reason_")): value for name, value in self.cleaned_data.items()
        }
