from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from actions.models import Action, Outcome
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
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "supporting_agencies": forms.CheckboxSelectMultiple,
            "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, plan: Plan, can_restrict: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if not can_restrict:
            # Only the lead agency and the coordinator decide what the public may read.
            del self.fields["restricted"]
        agencies = plan.partnership.core_agencies.order_by("name")
        self.fields["priority"].queryset = plan.priorities.order_by("order", "pk")
        self.fields["theme"].queryset = plan.partnership.themes.order_by("order", "name")
        self.fields["lead_agency"].queryset = agencies.filter(active=True)
        self.fields["supporting_agencies"].queryset = agencies
        self.fields["theme"].empty_label = "Not chosen yet"
        self.fields["lead_agency"].empty_label = "Not chosen yet"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead_agency")
        if lead is not None and lead in (cleaned.get("supporting_agencies") or []):
            self.add_error(
                "supporting_agencies", f"{lead} leads this action, so it cannot also support it."
            )
        priority = cleaned.get("priority")
        if priority is not None:
            try:
                Action(priority=priority).check_partnership(
                    supporting_agencies=cleaned.get("supporting_agencies") or []
                )
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field_name, message)
        return cleaned


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["description", "measure", "baseline", "target"]
        labels = {"description": "Outcome"}
        help_texts = {
            "description": "The change the action should bring.",
            "measure": "How the change is measured, e.g. police-recorded ASB incidents.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


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


OutcomeFormSet = forms.inlineformset_factory(
    Action,
    Outcome,
    form=OutcomeForm,
    formset=BaseOutcomeFormSet,
    extra=1,
    can_delete=True,
)
