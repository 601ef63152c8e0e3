"""Signing in: "Forgotten your password?" on the sign-in page; the reset e-mail sent by the worker
(its link made there, never stored); the link sets a new password once; requests throttled per
address and network address as signing in is; every registration page in the site's look."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import PASSWORD, UserFactory
from tests.people.conftest import link_in, run_worker

NEW_PASSWORD = "a brand new passphrase 2021"
RESET = "/accounts/password_reset/"


@pytest.fixture
def alice(lead_officer):
    return lead_officer


def ask(client, email, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(RESET, {"email": email}, **extra)


def test_the_sign_in_page_offers_a_reset(db, client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{RESET}">Forgotten your password?</a>' in html


def test_the_reset_email_goes_through_the_worker_and_its_link_sets_a_password(
    client, alice, django_capture_on_commit_callbacks
):
    response = ask(client, alice.email.upper(), django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []  # never inside the request
    (task,) = DBTaskResult.objects.filter(task_path="people.tasks.send_password_reset")
    assert task.args_kwargs["args"] == [alice.pk]  # the link is made by the worker

    run_worker()
    (message,) = mail.outbox
    assert message.to == [alice.email]
    link = link_in(message, "/accounts/reset/")
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # Once only.
    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_nothing_is_sent_for_an_unknown_or_closed_account_and_the_page_says_the_same(
    client, alice, django_capture_on_commit_callbacks
):
    alice.is_active = False
    alice.save()
    for email in (alice.email, "nobody@example.org"):
        response = ask(client, email, django_capture_on_commit_callbacks)
        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
    assert not DBTaskResult.objects.exists()


def test_requests_are_throttled_per_address_and_network_address(
    client, alice, settings, django_capture_on_commit_callbacks
):
    settings.AXES_FAILURE_LIMIT = 3
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert ask(client, alice.email, django_capture_on_commit_callbacks).status_code == 302
        refused = ask(client, alice.email, django_capture_on_commit_callbacks)
        assert refused.status_code == 429
        assert "Too many requests" in refused.content.decode()
        # Another address from the same network address, or the same one from elsewhere: fine.
        assert ask(client, "bob@example.org", django_capture_on_commit_callbacks).status_code == 302
        elsewhere = ask(
            client, alice.email, django_capture_on_commit_callbacks, REMOTE_ADDR="203.0.113.7"
        )
        assert elsewhere.status_code == 302
    assert DBTaskResult.objects.filter(task_path="people.tasks.send_password_reset").count() == 4
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)):
        assert ask(client, alice.email, django_capture_on_commit_callbacks).status_code == 302


def test_one_network_address_cannot_mail_everyone(
    db, client, settings, django_capture_on_commit_callbacks
):
    settings.AXES_FAILURE_LIMIT = 2
    answers = [
        ask(client, f"person{n}@example.org", django_capture_on_commit_callbacks).status_code
        for n in range(9)
    ]
    assert answers == [302] * 8 + [429]


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        (RESET, "Forgotten your password?"),
        ("/accounts/password_reset/done/", "Check your e-mail"),
        ("/accounts/reset/MQ/set-password/", "This link does not work"),
        ("/accounts/reset/done/", "Your password is changed"),
        ("/accounts/password_change/", "Change your password"),
        ("/accounts/password_change/done/", "Your password is changed"),
    ],
)
def test_every_registration_page_is_in_the_sites_look(client, alice, url, heading):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{heading}</h1>" in html
    assert 'href="#main-content"' in html  # the site's base template, not the admin's
    assert "/static/admin/" not in html


def test_changing_the_password_asks_the_old_one(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_the_locked_out_page_offers_a_reset(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="zoe")
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "zoe", "password": "wrong"})
    assert response.status_code == 429
    assert f'href="{RESET}"' in response.content.decode()
