from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from actions.models import CommissionedService


class MoneyField(forms.DecimalField):
    """An amount in pounds as people type it: “12500”, “12,500.00” or “£12,500”."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


class CommissionedServiceForm(forms.ModelForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
