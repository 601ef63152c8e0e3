"""Signing in without the admin: accepting an invitation, a password reset by e-mail that the
worker sends, throttled as signing in is, and the second step of signing in (two_step.py)."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from people import services, two_step
from people.forms import AcceptInvitationForm, PasswordResetByWorkerForm, TwoStepCodeForm
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


def _next(request: HttpRequest) -> str:
    """Where the person was going (this site only), else home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _throttled(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/two_step_throttled.html", status=429)


@never_cache
@login_required
def two_step_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or a recovery code."""
    if not two_step.two_step_owed(request):
        return redirect(_next(request))
    user: Any = request.user
    if two_step.authenticator_for(user) is None:
        return redirect(f"{reverse('two_step_setup')}?{request.GET.urlencode()}")
    form = TwoStepCodeForm(
        request.POST or None,
        help_text="The six digits your authenticator app shows for CSP Action Plan now, or one "
        "of your recovery codes.",
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = two_step.code_check(
                user=user, code=form.cleaned_data["code"], ip_address=get_client_ip_address(request)
            )
        except two_step.TooManyWrongCodes:
            return _throttled(request)
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    "You used a recovery code: it will not work again. "
                    f"You have {device.token_set.count()} left.",
                )
            return redirect(_next(request))
    return render(
        request, "registration/two_step_verify.html", {"form": form, "next": _next(request)}
    )


@never_cache
@login_required
def two_step_setup(request: HttpRequest) -> HttpResponse:
    """Setting up the authenticator app: its secret (as a QR code and as text), then a code from
    it confirms it; the recovery codes are shown once, on the answer."""
    if not two_step.two_step_owed(request):
        return redirect(_next(request))
    user: Any = request.user
    if two_step.authenticator_for(user) is not None:
        return redirect(f"{reverse('two_step_verify')}?{request.GET.urlencode()}")
    device = two_step.authenticator_to_set_up(user)
    form = TwoStepCodeForm(
        request.POST or None,
        help_text="The six digits the app shows for CSP Action Plan once you have added it.",
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_step.authenticator_confirm(
                device=device,
                code=form.cleaned_data["code"],
                ip_address=get_client_ip_address(request),
            )
        except two_step.TooManyWrongCodes:
            return _throttled(request)
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            otp_login(request, device)
            return render(
                request,
                "registration/two_step_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    context = {
        "form": form,
        "next": _next(request),
        "secret": two_step.secret_in_groups(device),
        "otpauth": device.config_url,
        "qr": two_step.qr_code(device.config_url),
    }
    return render(request, "registration/two_step_setup.html", context)
