from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from actions.models import Action, Outcome
from actions.services import OutcomeValues
from priorities.models import Plan


class ActionForm(forms.ModelForm):
    # The version the person started from: a stale one means someone else saved in between.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "priority",
            "theme",
            "description",
            "lead_agency",
            "supporting_agencies",
            "target_date",
            "timescale",
            "status",
            "restricted",
        ]
        labels = {
            "description": "Action",
            "priority": "Priority",
            "theme": "Theme",
            "restricted": "Restricted: show the public only who leads this action",
        }
        help_texts = {
            "description": "What partners will do.",
            "theme": "May be left blank while drafting.",
            "lead_agency": "The agency responsible for delivering the action. "
            "May be left blank while drafting.",
            "timescale": "When there is no one date: “Ongoing”, “Annual”, “Each school holiday”.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "supporting_agencies": forms.CheckboxSelectMultiple,
            "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "timescale": forms.TextInput(),
        }
        # Each error says what to do, naming the field's job (GOV.UK style).
        error_messages = {
            "priority": {
                "required": "Choose the priority this action belongs to",
                "invalid_choice": "Choose one of the plan's priorities",
            },
            "theme": {"invalid_choice": "Choose one of the partnership's themes"},
            "description": {"required": "Enter what partners will do"},
            "lead_agency": {"invalid_choice": "Choose the lead agency from the partnership's list"},
            "supporting_agencies": {
                "invalid_choice": "Choose supporting agencies from the partnership's list",
                "invalid_pk_value": "Choose supporting agencies from the partnership's list",
            },
            "target_date": {
                "invalid": "Enter the target date as a real date, for example 31/03/2022"
            },
            "status": {
                "required": "Choose the action's status",
                "invalid_choice": "Choose the action's status from the list",
            },
        }

    def __init__(self, *args, plan: Plan, can_restrict: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if not can_restrict:
            # Only the lead agency and the coordinator decide what the public may read.
            del self.fields["restricted"]
        agencies = plan.partnership.core_agencies.order_by("name")
        cast(forms.ModelChoiceField, self.fields["priority"]).queryset = plan.priorities.order_by(
            "order", "pk"
        )
        cast(
            forms.ModelChoiceField, self.fields["theme"]
        ).queryset = plan.partnership.themes.order_by("order", "name")
        cast(forms.ModelChoiceField, self.fields["lead_agency"]).queryset = agencies.filter(
            active=True
        )
        cast(forms.ModelChoiceField, self.fields["supporting_agencies"]).queryset = agencies
        cast(forms.ModelChoiceField, self.fields["theme"]).empty_label = "Not chosen yet"
        cast(forms.ModelChoiceField, self.fields["lead_agency"]).empty_label = "Not chosen yet"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        check_action_agencies(self, cleaned)
        return cleaned

    def values(self) -> dict[str, Any]:
        """The action's values for actions.services, as typed values (the fields on this form:
        `restricted` only for those who may set it)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


def check_action_agencies(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    """The rule of Action.check_agencies, as errors on the form's fields."""
    priority = cleaned.get("priority")
    if priority is None:
        return
    try:
        Action(priority=priority).check_agencies(
            lead_agency=cleaned.get("lead_agency"),
            supporting_agencies=cleaned.get("supporting_agencies") or [],
        )
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                if field_name not in form.errors or message not in form.errors[field_name]:
                    form.add_error(field_name, message)


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["description", "measure", "baseline", "target"]
        labels = {"description": "Outcome"}
        help_texts = {
            "description": "The change the action should bring.",
            "measure": "How the change is measured, e.g. police-recorded ASB incidents.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "measure": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "description": {"required": "Enter the change the action should bring"},
            "baseline": {"max_length": "The baseline must be 200 characters or fewer"},
            "target": {"max_length": "The target must be 200 characters or fewer"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A measure that stands without an outcome (as plan files bring them in) may be kept as
        # it is; a new outcome needs its text.
        stands_alone = self.instance.pk is not None and not self.instance.description
        self.fields["description"].required = not stands_alone
        if stands_alone:
            self.fields["description"].help_text = (
                "This measure belongs to the action, with no outcome of its own. Add the "
                "change it measures, or leave this blank."
            )


class BaseOutcomeFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


def outcome_values(formset: forms.BaseInlineFormSet) -> list[OutcomeValues]:
    """The outcomes a valid formset asks for: kept, changed and new ones, not those deleted."""
    wanted = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue  # the empty form for a new outcome, left empty
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        data = form.cleaned_data
        wanted.append(
            OutcomeValues(
                description=data["description"],
                measure=data.get("measure", ""),
                baseline=data.get("baseline", ""),
                target=data.get("target", ""),
                pk=form.instance.pk,
            )
        )
    return wanted


OutcomeFormSet = forms.inlineformset_factory(
    Action,
    Outcome,
    form=OutcomeForm,
    formset=BaseOutcomeFormSet,
    extra=1,
    can_delete=True,
)
