"""Signing in without the admin: accepting an invitation, and a password reset by e-mail that the
worker sends, throttled as signing in is."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache

from people import services
from people.forms import AcceptInvitationForm, PasswordResetByWorkerForm
from people.models import hash_token

SESSION_KEY = "invitation_token"


@never_cache
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link. The browser goes on at once to an address without the token, so that
    it cannot leak (browser history, Referer), as Django's password reset does; the session keeps
    only the token's hash, as the invitation does."""
    request.session[SESSION_KEY] = hash_token(token)
    return redirect("invitation_accept")


@never_cache
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """The invited person chooses their password; their account is their e-mail address."""
    invitation = services.invitation_from_token_hash(request.session.get(SESSION_KEY, ""))
    if invitation is None:
        return render(request, "people/invitation_invalid.html", {"reason": None}, status=404)
    if not invitation.is_usable():
        reason = services.unusable_reason(invitation)
        return render(request, "people/invitation_invalid.html", {"reason": reason}, status=410)
    form = AcceptInvitationForm(
        request.POST or None,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invitation_accept(
                invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except services.InvitationUnusable as exc:  # used or cancelled a moment ago
            return render(
                request, "people/invitation_invalid.html", {"reason": exc.message}, status=410
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            del request.session[SESSION_KEY]
            messages.success(
                request,
                f"Your account is ready. Sign in with your e-mail address, {person.username}, "
                "and your new password.",
            )
            return redirect("login")
    return render(
        request, "people/invitation_accept.html", {"invitation": invitation, "form": form}
    )


class ThrottledPasswordResetView(PasswordResetView):
    """Django's "Forgotten your password?" page: the e-mail goes through the worker, and the
    requests are throttled per address and network address (people.services)."""

    form_class = PasswordResetByWorkerForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        allowed = services.password_reset_allowed(
            email=form.cleaned_data["email"], ip_address=get_client_ip_address(self.request)
        )
        if not allowed:
            return render(self.request, "registration/password_reset_throttled.html", status=429)
        return super().form_valid(form)
