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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
