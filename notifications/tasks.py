"""The background tasks that send e-mail, through Django's tasks framework: one notification's
(`send_notification_email`), and any other e-mail to someone without an account or who cannot sign
in (`send_email`, queued by `queue_email`).

A notification's e-mail goes at most once: the task claims the notification's row under a lock
(pending → sending) before it sends, so a task that runs twice, or a worker restarted after it was
killed, never sends the same e-mail twice. A row left "sending" by a killed worker stays so: it
shows in the admin, where someone decides whether to send it again (it may have gone).

A failed send is tried again later, after 1 minute, 5 minutes, 30 minutes and 2 hours; after the
fifth failure the notification is marked failed. Attempts and the last error show in the admin.
"""

from __future__ import annotations

import datetime
import functools
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from notifications.emails import HEADERS, notification_message
from notifications.models import EmailStatus, Notification

logger = logging.getLogger(__name__)

RETRY_DELAYS: tuple[datetime.timedelta, ...] = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)


def max_attempts() -> int:
    return len(RETRY_DELAYS) + 1


@task()
def send_notification_email(notification_id: int) -> str:
    """Send one notification's e-mail; returns what happened: sent, retry, failed or skipped."""
    notification = _claim(notification_id)
    if notification is None:
        return "skipped"
    try:
        notification_message(notification).send()
    except Exception as exc:  # SMTP errors, refused connections, anything: recorded, retried
        return _record_failure(notification, exc)
    Notification.objects.filter(pk=notification.pk).update(
        email_status=EmailStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
    )
    return "sent"


def enqueue_email(notification_id: int) -> None:
    """Queue the e-mail of a notification (called once the notification is committed)."""
    send_notification_email.enqueue(notification_id)


def _claim(notification_id: int) -> Notification | None:
    """Lock the row and move it from pending to sending; None if it is not pending."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "plan")
            .filter(pk=notification_id, email_status=EmailStatus.PENDING)
            .first()
        )
        if notification is None:
            return None
        if not notification.recipient.email or not notification.recipient.is_active:
            notification.email_status = EmailStatus.NOT_SENT
            notification.last_error = "The person has no e-mail address or no active account."
            notification.save(update_fields=["email_status", "last_error"])
            return None
        notification.email_status = EmailStatus.SENDING
        notification.attempts += 1
        notification.next_attempt_at = None
        notification.save(update_fields=["email_status", "attempts", "next_attempt_at"])
    return notification


def _record_failure(notification: Notification, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    attempt = notification.attempts
    logger.warning(
        "E-mail of notification %s failed (attempt %s): %s", notification.pk, attempt, error
    )
    can_defer = send_notification_email.get_backend().supports_defer
    if attempt >= max_attempts() or not can_defer:
        if not can_defer:
            error += " (not retried: the task backend cannot schedule a retry)"
        Notification.objects.filter(pk=notification.pk).update(
            email_status=EmailStatus.FAILED, last_error=error, next_attempt_at=None
        )
        return "failed"
    run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
    # One transaction: with the database backend the retry is queued if and only if the row says
    # it is pending again.
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            email_status=EmailStatus.PENDING, last_error=error, next_attempt_at=run_after
        )
        send_notification_email.using(run_after=run_after).enqueue(notification.pk)
    return "retry"


# -- One e-mail to anyone: people with no account yet, or who cannot sign in. Never a secret in
# the arguments (they are stored in the task queue): links that grant access are made by tasks that
# create them in the worker (people/tasks.py).


@task()
def send_email(to: list[str], subject: str, text: str, html: str = "") -> str:
    """Send one e-mail (plain text, and HTML beside it when given); a failure is raised, so the
    task queue shows the task failed with its error."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=None, to=to, headers=HEADERS
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return "sent"


def queue_email(*, to: list[str], subject: str, text: str, html: str = "") -> None:
    """Queue an e-mail for the worker once the current transaction commits (at once outside
    one): never sent inside the request."""
    transaction.on_commit(
        functools.partial(send_email.enqueue, to, subject, text, html), robust=True
    )
