"""Two-step sign-in for password users, where the installation asks for it (REQUIRE_TWO_FACTOR):
an admin sets up an authenticator app (QR code and its key as text), is given recovery codes
once, and is asked for a code after every password sign-in before any page; a wrong code is
refused, and too many are throttled as wrong passwords are. Off by default; never asked of those
who signed in with their organisation's account."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from people import two_step
from people.models import TwoStepFailure
from tests.factories import PASSWORD, UserFactory

START = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)
SETUP = reverse("two_step_setup")
VERIFY = reverse("two_step_verify")


def code_now(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_sign_in(client, user, next_url: str = "/my-work/"):
    response = client.post(
        f"{reverse('login')}?next={next_url}", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    return client.get(response.url)


def set_up(client, user) -> list[str]:
    """Sign in and set up the app; returns the recovery codes shown."""
    password_sign_in(client, user)
    client.get(SETUP)
    page = client.post(SETUP, {"code": code_now(user)})
    assert page.status_code == 200
    return re.findall(r'<li class="col">(\w+)</li>', page.content.decode())


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def asked_of_admins_and_coordinators(settings):
    settings.REQUIRE_TWO_FACTOR = frozenset({"admins", "coordinators"})


def test_off_by_default(client, admin_user, settings):
    assert not settings.REQUIRE_TWO_FACTOR
    response = password_sign_in(client, admin_user)
    assert response.status_code == 200  # straight to the page


def test_an_admin_is_asked_to_set_up_an_app_then_for_a_code(
    client, admin_user, asked_of_admins_and_coordinators, clock
):
    response = password_sign_in(client, admin_user, "/my-work/")

    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Fmy-work%2F"
    for page in ("/", "/my-work/", "/admin/"):  # no page before the code
        assert client.get(page).url.startswith(SETUP)
    setup = client.get(response.url).content.decode()
    assert '<img src="data:image/svg+xml;charset=utf-8,%3Csvg' in setup
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert two_step.secret_in_groups(device) in setup
    assert "otpauth://totp/CSP%20Action%20Plan%3Aadmin?secret=" in setup

    answer = client.post(response.url, {"code": code_now(admin_user)})

    html = answer.content.decode()
    assert "Your recovery codes" in html and "They are shown only now" in html
    codes = re.findall(r'<li class="col">(\w+)</li>', html)
    assert len(codes) == 10
    assert 'href="/my-work/">I have kept them: continue</a>' in html
    assert client.get("/my-work/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(SETUP).url == "/"  # once only: nothing more owed

    # Next time: the code, before any page.
    client.logout()
    clock.shift(datetime.timedelta(seconds=60))
    response = password_sign_in(client, admin_user, "/my-work/")
    assert response.url == f"{VERIFY}?next=%2Fmy-work%2F"
    assert client.get(SETUP + "?next=%2Fmy-work%2F").url == f"{VERIFY}?next=%2Fmy-work%2F"
    answer = client.post(response.url, {"code": code_now(admin_user)})
    assert answer.status_code == 302 and answer.url == "/my-work/"
    assert client.get("/my-work/").status_code == 200


def test_a_wrong_code_is_refused(client, admin_user, asked_of_admins_and_coordinators, clock):
    set_up(client, admin_user)
    client.logout()
    clock.shift(datetime.timedelta(seconds=60))
    password_sign_in(client, admin_user)
    right = code_now(admin_user)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    answer = client.post(VERIFY, {"code": wrong})

    assert answer.status_code == 200
    assert "That code is not right" in answer.content.decode()
    assert client.get("/my-work/").url.startswith(VERIFY)  # still owed
    assert TwoStepFailure.objects.filter(user=admin_user).count() == 1
    assert client.post(VERIFY, {"code": right}).status_code == 302
    assert not TwoStepFailure.objects.exists()  # a right code forgets the wrong ones


def test_wrong_codes_are_throttled_as_wrong_passwords_are(
    client, admin_user, asked_of_admins_and_coordinators, clock, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    set_up(client, admin_user)
    client.logout()
    clock.shift(datetime.timedelta(seconds=60))
    password_sign_in(client, admin_user)
    for _ in range(3):
        assert client.post(VERIFY, {"code": "000000x"}).status_code == 200

    refused = client.post(VERIFY, {"code": code_now(admin_user)})  # even the right one

    assert refused.status_code == 429
    assert "Too many wrong codes" in refused.content.decode()
    assert client.get("/my-work/").url.startswith(VERIFY)
    # Signing in again with the password does not start the count again.
    client.logout()
    password_sign_in(client, admin_user)
    assert client.post(VERIFY, {"code": code_now(admin_user)}).status_code == 429

    clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
    assert client.post(VERIFY, {"code": code_now(admin_user)}).status_code == 302
    assert client.get("/my-work/").status_code == 200


def test_a_recovery_code_works_once(client, admin_user, asked_of_admins_and_coordinators, clock):
    codes = set_up(client, admin_user)
    client.logout()
    password_sign_in(client, admin_user)

    answer = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)

    assert answer.status_code == 200
    assert "You used a recovery code: it will not work again. You have 9 left." in (
        answer.content.decode()
    )
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.logout()
    password_sign_in(client, admin_user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200  # refused
    assert client.get("/my-work/").url.startswith(VERIFY)


def test_who_is_asked(settings, admin_user, coordinator, lead_officer):
    settings.REQUIRE_TWO_FACTOR = frozenset({"admins", "coordinators"})
    staff = UserFactory(username="staff", is_staff=True)
    assert [two_step.two_step_required(u) for u in (admin_user, staff, coordinator)] == [True] * 3
    assert not two_step.two_step_required(lead_officer)
    settings.REQUIRE_TWO_FACTOR = frozenset({"admins"})
    assert not two_step.two_step_required(coordinator)
    settings.REQUIRE_TWO_FACTOR = frozenset({"all"})
    assert two_step.two_step_required(lead_officer)


def test_an_officer_is_not_asked_unless_all_are(
    client, lead_officer, asked_of_admins_and_coordinators, settings
):
    assert password_sign_in(client, lead_officer).status_code == 200
    client.logout()
    settings.REQUIRE_TWO_FACTOR = frozenset({"all"})
    assert password_sign_in(client, lead_officer).url.startswith(SETUP)


def test_a_coordinator_is_asked(client, coordinator, asked_of_admins_and_coordinators):
    assert password_sign_in(client, coordinator).url.startswith(SETUP)


def test_someone_who_owes_a_code_may_still_sign_out(
    client, admin_user, asked_of_admins_and_coordinators
):
    password_sign_in(client, admin_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_pages_send_away_those_who_owe_nothing(client, lead_officer):
    client.force_login(lead_officer)
    assert client.get(VERIFY + "?next=/my-work/").url == "/my-work/"
    assert client.get(SETUP + "?next=https://elsewhere.example/").url == "/"
