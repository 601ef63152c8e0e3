"""The e-mail task: claims its notification before sending, so it is sent at most once; a failed
send is tried again with back-off, recorded, and given up after the last attempt; the e-mail says
where to go, why it came and how to change that."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from notifications.models import EmailStatus, Kind, Notification
from notifications.tasks import RETRY_DELAYS, send_notification_email
from tests.notifications.conftest import IMMEDIATE_BACKEND, TASK_PATH

NOON = datetime.datetime(2021, 4, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
FAILING = "tests.notifications.failing_backend.EmailBackend"


def run(notification) -> str:
    """What the worker does with the queued task."""
    return send_notification_email.call(notification.pk)


def test_the_task_sends_the_email_and_marks_it_sent(alice, tell):
    (notification,) = tell([alice])

    assert run(notification) == "sent"
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert [email.to for email in mail.outbox] == [[alice.email]]


def test_a_task_run_twice_sends_once(alice, tell):
    (notification,) = tell([alice])

    assert run(notification) == "sent"
    assert run(notification) == "skipped"
    assert len(mail.outbox) == 1


def test_a_notification_left_sending_by_a_stopped_worker_is_not_sent_again(alice, tell):
    (notification,) = tell([alice])
    # The worker claimed it, then was killed before it could record the outcome.
    Notification.objects.filter(pk=notification.pk).update(
        email_status=EmailStatus.SENDING, attempts=1
    )

    assert run(notification) == "skipped"
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENDING


def test_a_failed_send_is_retried_with_back_off_and_recorded(alice, tell, settings):
    settings.EMAIL_BACKEND = FAILING
    (notification,) = tell([alice])
    DBTaskResult.objects.all().delete()  # the first run, taken by "the worker"

    with time_machine.travel(NOON, tick=False):
        assert run(notification) == "retry"
        assert not DBTaskResult.objects.ready().exists()  # not before its time

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.attempts == 1
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in notification.last_error
    assert notification.next_attempt_at == NOON + datetime.timedelta(minutes=1)
    (retry,) = DBTaskResult.objects.filter(task_path=TASK_PATH)
    assert retry.args_kwargs["args"] == [notification.pk]
    assert retry.run_after == NOON + datetime.timedelta(minutes=1)


def test_the_retries_back_off_then_give_up_as_failed(alice, tell, settings):
    settings.EMAIL_BACKEND = FAILING
    (notification,) = tell([alice])
    DBTaskResult.objects.all().delete()
    now = NOON
    waits = []
    with time_machine.travel(now, tick=False) as clock:
        for _ in RETRY_DELAYS:
            assert run(notification) == "retry"
            retry = DBTaskResult.objects.get(task_path=TASK_PATH, status="READY")
            waits.append(retry.run_after - now)
            retry.delete()  # taken by the worker when due
            clock.move_to(retry.run_after)
            now = retry.run_after
        assert run(notification) == "failed"

    assert waits == [
        datetime.timedelta(minutes=1),
        datetime.timedelta(minutes=5),
        datetime.timedelta(minutes=30),
        datetime.timedelta(hours=2),
    ]
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.attempts == 5
    assert "SMTPServerDisconnected" in notification.last_error
    assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exists()
    assert mail.outbox == []


def test_a_retry_that_works_marks_the_email_sent(alice, tell, settings):
    settings.EMAIL_BACKEND = FAILING
    (notification,) = tell([alice])
    assert run(notification) == "retry"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert run(notification) == "sent"
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (EmailStatus.SENT, 2)
    assert notification.last_error == ""
    assert len(mail.outbox) == 1


def test_with_the_immediate_backend_a_failure_is_recorded_without_retry(alice, tell, settings):
    settings.TASKS = IMMEDIATE_BACKEND
    settings.EMAIL_BACKEND = FAILING
    (notification,) = tell([alice])  # sent (and failed) as the transaction committed

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert "not retried" in notification.last_error


def test_with_the_immediate_backend_the_email_goes_after_the_commit(alice, tell, settings):
    settings.TASKS = IMMEDIATE_BACKEND
    (notification,) = tell([alice])

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_someone_who_lost_their_address_is_not_emailed(alice, tell):
    (notification,) = tell([alice])
    alice.email = ""
    alice.save()

    assert run(notification) == "skipped"
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.NOT_SENT
    assert mail.outbox == []


# -- What the e-mail says.


@pytest.fixture
def sent_email(alice, tell, plan):
    (notification,) = tell([alice], plan=plan)
    run(notification)
    (email,) = mail.outbox
    return email


def test_the_email_has_a_plain_text_part_with_the_direct_link(sent_email):
    assert sent_email.subject == "Lichfield 2021-22: your agency's agreement is awaited"
    assert "The coordinator sent the plan for agreement." in sent_email.body
    assert (
        "Open it: https://csp.example.gov.uk/plans/lichfield/2021-22/agreement/" in sent_email.body
    )
    assert "&#x27;" not in sent_email.body  # plain text is not HTML-escaped
    assert sent_email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_email_says_why_and_how_to_change_it(sent_email):
    assert (
        "You get this because you speak for Staffordshire Police in the Lichfield partnership."
        in sent_email.body
    )
    preferences = "https://csp.example.gov.uk" + reverse("notification_preferences")
    change = "To change how you are told (e-mail at once, a daily digest, or in the site only)"
    assert f"{change}: {preferences}" in sent_email.body


def test_the_email_has_an_html_part_saying_the_same(sent_email):
    ((html, mimetype),) = sent_email.alternatives
    assert mimetype == "text/html"
    assert 'href="https://csp.example.gov.uk/plans/lichfield/2021-22/agreement/"' in html
    assert "You get this because you speak for Staffordshire Police" in html
    assert 'href="https://csp.example.gov.uk/notifications/preferences/"' in html


# -- The admin shows the state of every e-mail.


def test_the_admin_lists_failed_emails_with_attempts_and_error(
    client, admin_user, alice, bob, tell, settings
):
    settings.EMAIL_BACKEND = FAILING
    failed, sent = tell([alice, bob])
    Notification.objects.filter(pk=failed.pk).update(
        email_status=EmailStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: gone"
    )
    Notification.objects.filter(pk=sent.pk).update(email_status=EmailStatus.SENT, attempts=1)
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:notifications_notification_changelist"), {"email_status": "failed"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "SMTPServerDisconnected: gone" in page
    assert response.context["cl"].result_count == 1


def test_the_admin_queues_a_failed_email_again(
    client, admin_user, alice, tell, queued, django_capture_on_commit_callbacks
):
    (notification,) = tell([alice])
    DBTaskResult.objects.all().delete()
    Notification.objects.filter(pk=notification.pk).update(
        email_status=EmailStatus.FAILED, attempts=5
    )
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "send_again", "_selected_action": [notification.pk]},
        )

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (EmailStatus.PENDING, 0)
    assert queued() == [notification.pk]


def test_kinds_are_labelled_in_words():
    assert Kind.ROUND_CLEARED.label == "A new consultation round cleared your agency's answer"
