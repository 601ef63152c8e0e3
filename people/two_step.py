"""Two-step sign-in for people who sign in with a password, where the installation asks for it
(REQUIRE_TWO_FACTOR): after the password, a code from an authenticator app (TOTP) or one of the
person's recovery codes, through django-otp.

Who is asked: `two_step_required`. People signed in with their organisation's account never are
(their organisation asks for its own second step). Wrong codes are throttled per person as wrong
passwords are (LOGIN_FAILURE_LIMIT in LOGIN_LOCKOUT_MINUTES), a right code forgetting them.
"""

from __future__ import annotations

import base64
import datetime
from typing import TYPE_CHECKING, Any, NoReturn

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from people.models import TwoStepFailure
from people.oidc import signed_in_with_organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RECOVERY_CODES = 10
APP = "Authenticator app"
RECOVERY = "Recovery codes"
WRONG_CODE = "That code is not right. Check the time on your phone, and type the newest code."


class TooManyWrongCodes(Exception):
    """Codes are refused for a while after too many wrong ones."""


def two_step_required(user: Any) -> bool:
    """Whether the installation asks this person for a second step after their password."""
    groups = settings.REQUIRE_TWO_FACTOR
    if not groups or not user.is_authenticated:
        return False
    return (
        "all" in groups
        or ("admins" in groups and (user.is_staff or user.is_superuser))
        or ("coordinators" in groups and user.coordinated_partnerships.exists())
    )


def two_step_owed(request: HttpRequest) -> bool:
    """Whether the signed-in person must still give a code before any page."""
    user: Any = request.user
    return (
        user.is_authenticated
        and not user.is_verified()
        and not signed_in_with_organisation(request)
        and two_step_required(user)
    )


def authenticator_for(user: User) -> TOTPDevice | None:
    """The person's authenticator app, once set up (confirmed)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def authenticator_to_set_up(user: User) -> TOTPDevice:
    """The authenticator app being set up: the same secret until a code confirms it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP, confirmed=False)


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret as an app asks for it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(uri: str) -> str:
    """The app's set-up address as a QR code, an SVG data: URI for an <img> (the page's Content
    Security Policy allows data: images, never inline script or style)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def authenticator_confirm(*, device: TOTPDevice, code: str, ip_address: str | None) -> list[str]:
    """Confirm the app with a code from it; returns the new recovery codes (shown once). Raises
    ValidationError for a wrong code, TooManyWrongCodes when throttled."""
    user = device.user
    _throttle(user)
    if not device.verify_token(_normal(code)):
        _wrong(user, ip_address)
    with transaction.atomic():
        TwoStepFailure.objects.filter(user=user).delete()
        TOTPDevice.objects.devices_for_user(user, confirmed=None).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_renew(user=user)


def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes, each good once; the old ones stop working."""
    StaticDevice.objects.devices_for_user(user, confirmed=None).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def code_check(*, user: User, code: str, ip_address: str | None) -> Device:
    """The device (the app, or the recovery codes) that the code is right for; a recovery code
    is used up. Raises ValidationError for a wrong code, TooManyWrongCodes when throttled."""
    _throttle(user)
    device = match_token(user, _normal(code))
    if device is None:
        _wrong(user, ip_address)
    TwoStepFailure.objects.filter(user=user).delete()
    return device


def _normal(code: str) -> str:
    return "".join(code.split()).lower()


def _throttle(user: User, now: datetime.datetime | None = None) -> None:
    window_start = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    TwoStepFailure.objects.filter(created_at__lt=window_start).delete()
    if TwoStepFailure.objects.filter(user=user).count() >= settings.AXES_FAILURE_LIMIT:
        raise TooManyWrongCodes


def _wrong(user: User, ip_address: str | None) -> NoReturn:
    """Count the wrong code, and refuse it."""
    TwoStepFailure.objects.create(user=user, ip_address=ip_address)
    raise ValidationError(WRONG_CODE)
