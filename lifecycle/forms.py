"""The forms of the plan's life: an agency's answer, and the coordinator's reasons to go ahead."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from lifecycle.readiness import AgencyAnswer
from partners.models import Agency
from tracking.forms import FieldsOnly


class AgreementForm(FieldsOnly, forms.Form):
    """An agency's answer to the plan, given by someone who speaks for it."""

    agency = forms.ModelChoiceField(queryset=None, label="Answering for", empty_label=None)
    decision = forms.ChoiceField(
        label="The agency's answer",
        widget=forms.RadioSelect,
        choices=[
            ("agreed", "We agree the plan"),
            ("changes_requested", "We ask for changes before we can agree"),
        ],
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when asking for changes: say what should change.",
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("decision") == "changes_requested"
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", "Say what changes the agency is asking for.")
        return cleaned


class MarkAgreedForm(forms.Form):
    """The coordinator's reason, for each core agency that has not agreed, to go ahead anyway."""

    def __init__(self, *args: Any, pending: list[AgencyAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for answer in pending:
            self.fields[f"reason_{answer.agency.pk}"] = forms.CharField(
                label=f"Why the plan goes ahead without {answer.agency.name}'s agreement",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def reasons(self) -> dict[int, str]:
        return {
            int(name.removeprefix("reason_")): value for name, value in self.cleaned_data.items()
        }
