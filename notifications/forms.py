"""How a person wants to hear of each kind of notification."""

from __future__ import annotations

from typing import Any

from django import forms

from notifications.models import KIND_HINTS, Kind, Mode


class PreferencesForm(forms.Form):
    """One choice per kind: e-mail at once, a daily digest, or in the site only."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                help_text=KIND_HINTS[kind],
                choices=Mode.choices,
                initial=current[kind.value],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": f"Choose how to hear that {kind.label[0].lower()}{kind.label[1:]}"
                },
            )

    def modes(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Kind.values}
