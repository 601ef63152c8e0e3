from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions.models import Action, Measure, Outcome, ProgressUpdate
from actions.periods import period_label, periods
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


class ProgressUpdateForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["date", "rag", "percent_complete", "narrative"]
        labels = {"rag": "RAG status", "percent_complete": "Percentage complete (optional)"}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rag": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class MeasureForm(forms.ModelForm):
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

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["priority"].queryset = plan.priorities.order_by("order", "pk")
        self.fields["outcomes"].queryset = Outcome.objects.filter(
            action__priority__plan=plan
        ).order_by("action__priority__order", "action__order", "order")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class FigureForm(forms.Form):
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

    def __init__(self, *args, measure: Measure, agencies, **kwargs):
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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
