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
        # Each error says what to do, naming the field's job (GOV.UK style).
        error_messages = {
            "title": {
                "required": "Enter the priority's title",
                "max_length": "The priority's title must be 200 characters or fewer",
            },
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
