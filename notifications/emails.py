"""The e-mails: one notification, or a person's daily digest. Plain text first, HTML beside it.

Every e-mail gives the direct link (SITE_URL and the page's path), says why the person gets it,
and how to change that (their preferences page).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.models import Mode, Notification

# Marks the e-mails as sent by a program, so that out-of-office replies are not sent back.
HEADERS = {"Auto-Submitted": "auto-generated"}


def site_link(path: str) -> str:
    """The full address of a page of this site, for an e-mail read outside it."""
    return f"{settings.SITE_URL}{path}"


def why_sentence(why: str) -> str:
    """'You get this because …', whatever the caller's closing punctuation."""
    return f"You get this because {why.strip().rstrip('.')}."


def email_message(
    *, subject: str, to: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """An e-mail from `template`.txt (the plain text) with `template`.html beside it, marked as
    sent by a program, from DEFAULT_FROM_EMAIL."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=None,  # DEFAULT_FROM_EMAIL
        to=[to],
        headers=HEADERS,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _message(
    *, subject: str, to: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    context = context | {
        "preferences_link": site_link(reverse("notification_preferences")),
        "inbox_link": site_link(reverse("notification_list")),
    }
    return email_message(
        subject=subject, to=to, template=f"notifications/email/{template}", context=context
    )


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of one notification, sent at once."""
    context = {
        "notification": notification,
        "link": site_link(notification.url),
        "why": why_sentence(notification.why),
        "mode": Mode(notification.delivery).label.lower(),
    }
    return _message(
        subject=notification.subject,
        to=notification.recipient.email,
        template="notification",
        context=context,
    )


def digest_message(
    *, user: Any, items: Sequence[Notification], day: datetime.date
) -> EmailMultiAlternatives:
    """A person's daily digest: every notification they chose to hear of once a day."""
    entries = [
        {"notification": item, "link": site_link(item.url), "why": why_sentence(item.why)}
        for item in items
    ]
    kinds = sorted({item.get_kind_display() for item in items})
    count = len(items)
    subject = f"CSP Action Plan: your daily digest, {count} notification{'s' if count != 1 else ''}"
    context = {"user": user, "entries": entries, "kinds": kinds, "day": day, "count": count}
    return _message(subject=subject, to=user.email, template="digest", context=context)
