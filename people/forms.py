"""Forms of the members pages and of signing in: they validate and hand typed values to the
services (people/services.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm

from partners.domains import validate_email_domains
from partners.models import Agency
from people.services import queue_password_resets

if TYPE_CHECKING:
    from django.db.models import QuerySet


class InviteForm(forms.Form):
    """Invite a person by e-mail to one of the agencies the inviter manages."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(
        label="E-mail address",
        help_text="Their work address: the invitation goes there, and it will be their username.",
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Agency", empty_label="Choose an agency"
    )
    may_speak_for_agency = forms.BooleanField(
        required=False,
        label="Speaks for the agency",
        help_text="They will agree plans on the agency's behalf.",
    )

    def __init__(
        self, *args: Any, agencies: QuerySet[Agency], may_choose_role: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        if not may_choose_role:
            # Who speaks for an agency is the coordinator's choice.
            del self.fields["may_speak_for_agency"]


class AcceptInvitationForm(forms.Form):
    """The invited person's name and the password they choose (the password rules apply)."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        return cleaned


class DomainsForm(forms.Form):
    domains = forms.CharField(
        label="Allowed e-mail domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_email_domains],
        help_text="One per line, e.g. lichfielddc.gov.uk. Someone with an address at one of "
        "these who signs in with their organisation's account without an invitation may ask to "
        "join; you approve or refuse each request here. Leave empty to accept nobody that way.",
    )


class AgencyAliasForm(forms.Form):
    """Another name of one of the partnership's core agencies (partners/aliases.py)."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Agency", empty_label="Choose an agency"
    )
    name = forms.CharField(
        label="Other name",
        max_length=200,
        help_text="An abbreviation or a name as your files write it, e.g. “LDC” or “Lichfield "
        "DC”. Capitals and spaces do not matter.",
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["name"].widget.attrs["autocomplete"] = "off"


class AccessDecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve: let them in"), (REFUSE, "Refuse")],
        widget=forms.RadioSelect,
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Their agency",
        required=False,
        empty_label="Choose an agency",
        help_text="When you approve: the agency they work for.",
    )
    may_speak_for_agency = forms.BooleanField(required=False, label="Speaks for the agency")
    reason = forms.CharField(
        label="Reason (for the coordinators only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.APPROVE and not cleaned.get("agency"):
            self.add_error("agency", "Choose the agency they work for.")
        return cleaned


class PasswordResetByWorkerForm(PasswordResetForm):
    """Django's password reset form, whose e-mails the worker sends (people/tasks.py) instead
    of the request: the same people (active, with a password, at that address)."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        queue_password_resets(self.get_users(self.cleaned_data["email"]))


class TwoStepCodeForm(forms.Form):
    """The code of the second step: six digits from the app, or one recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text
