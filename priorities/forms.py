from crispy_forms.helper import FormHelper
from django import forms

from priorities.models import Priority


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["title", "description", "evidence"]
        labels = {"evidence": "Evidence from the Strategic Assessment"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        # The plan is fixed by the page; set it now so the unique title check can run.
        self.instance.plan = plan
        self.plan = plan
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_title(self) -> str:
        # The database refuses a second priority of the same title in a plan; say so here, on
        # the title field, before it comes to that.
        title = self.cleaned_data["title"].strip()
        twins = Priority.objects.filter(plan=self.plan, title__iexact=title)
        if twins.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"This plan already has a priority called “{title}”.")
        return title


class AgreementForm(forms.Form):
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

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == "changes_requested"
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", "Say what changes the agency is asking for.")
        return cleaned


class MarkAgreedForm(forms.Form):
    """The coordinator's reason, for each core agency that has not agreed, to go ahead anyway."""

    def __init__(self, *args, pending, **kwargs):
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
