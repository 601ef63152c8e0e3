"""Notifications' services: what the rest of the product calls to tell people things.

    notify(kind=Kind.PLAN_PUBLISHED, recipients=members, key=f"plan-{plan.pk}-v{number}",
           subject=..., body=..., url=plan.get_absolute_url(), plan=plan,
           why="you are a member of Staffordshire Police, a core agency of the partnership")

records one notification per recipient — once per (recipient, kind, key), however often it is
called — and queues the e-mails to be sent at once, after the transaction commits, for a worker
to send (never inside the request). The digest and site-only notifications wait in the inbox;
`send_digests`, run daily, e-mails each person one list of what they chose to hear of once a day.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from notifications.emails import digest_message
from notifications.models import (
    DEFAULT_MODES,
    Digest,
    EmailStatus,
    Kind,
    Mode,
    Notification,
    NotificationPreference,
    default_mode,
)
from notifications.tasks import enqueue_email
from priorities.models import Plan

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

logger = logging.getLogger(__name__)


def notify(
    *,
    kind: Kind | str,
    recipients: Iterable[User],
    key: str,
    subject: str,
    body: str,
    url: str,
    plan: Plan | None = None,
    why: str,
) -> list[Notification]:
    """Tell each recipient once; returns the notifications this call recorded (none for a
    recipient already told of this kind and key). `why` ends the sentence "You get this
    because …"; `url` is a path on this site."""
    kind = Kind(kind)
    if not url.startswith("/") or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        raise ValueError(f"A notification links to a path on this site, not {url!r}.")
    people = {user.pk: user for user in recipients}
    if not people:
        return []
    now = timezone.now()
    with transaction.atomic():
        told = set(
            Notification.objects.filter(kind=kind, key=key, recipient__in=list(people)).values_list(
                "recipient_id", flat=True
            )
        )
        modes = modes_for(user_ids=people.keys(), kind=kind)
        rows = [
            Notification(
                recipient=user,
                kind=kind,
                key=key,
                plan=plan,
                subject=subject[:200],
                body=body,
                url=url,
                why=why,
                created_at=now,
                delivery=modes[pk],
                email_status=_first_status(user, modes[pk]),
            )
            for pk, user in people.items()
            if pk not in told
        ]
        # A concurrent call may record some of the same rows first: the unique constraint keeps
        # one, and this call leaves those alone.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # Primary keys are not returned with ignore_conflicts: the rows this call wrote are those
        # carrying its timestamp.
        created = list(
            Notification.objects.filter(
                kind=kind,
                key=key,
                recipient__in=[row.recipient_id for row in rows],
                created_at=now,
            ).order_by("pk")
        )
        for notification in created:
            if notification.delivery == Mode.IMMEDIATE and (
                notification.email_status == EmailStatus.PENDING
            ):
                transaction.on_commit(
                    functools.partial(enqueue_email, notification.pk), robust=True
                )
    return created


def _first_status(user: User, mode: str) -> str:
    if mode == Mode.SITE or not user.email or not user.is_active:
        return EmailStatus.NOT_SENT
    return EmailStatus.PENDING


def modes_for(*, user_ids: Iterable[int], kind: Kind | str) -> dict[int, str]:
    """How each of these people wants to hear of this kind (their choice, or its default)."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "mode"
        )
    )
    return {pk: chosen.get(pk, default_mode(kind)) for pk in ids}


def preferences_for(*, user: User) -> dict[str, str]:
    """Every kind with how this person wants to hear of it, in the order of Kind."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return {kind: chosen.get(kind, DEFAULT_MODES[kind]) for kind in Kind.values}


def preferences_save(*, user: User, modes: Mapping[str, str]) -> None:
    """Record how this person wants to hear of each kind given; notifications already recorded
    keep the way they were to be sent."""
    rows = [
        NotificationPreference(user=user, kind=Kind(kind), mode=Mode(mode))
        for kind, mode in modes.items()
    ]
    NotificationPreference.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["mode"]
    )


def mark_read(*, user: User, notification: Notification) -> bool:
    """Mark one of this person's notifications read; False if it already was."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied("Only the person notified may mark a notification read.")
    now = timezone.now()
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if changed:
        notification.read_at = now
    return bool(changed)


def mark_all_read(*, user: User) -> int:
    """Mark every notification of this person read; returns how many were unread."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def unread_count(*, user: User | AnonymousUser) -> int:
    """How many of this person's notifications are unread (one query)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_user(user).unread().count()


def send_digests(*, today: datetime.date | None = None) -> list[str]:
    """E-mail each person, once a day, the notifications they chose to hear of in a digest.

    Nothing goes to a person with nothing waiting, and a second run on the same day sends
    nothing (one Digest per person and day, a database rule). A digest that fails to send puts
    its notifications back, for the next day's digest. Returns a line per digest sent."""
    day = today or timezone.localdate()
    waiting = (
        Notification.objects.awaiting_digest()
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    lines = []
    for user_id in list(waiting):
        line = _send_digest(user_id=user_id, day=day)
        if line:
            lines.append(line)
    return lines


def _send_digest(*, user_id: int, day: datetime.date) -> str | None:
    try:
        with transaction.atomic():
            items = list(
                Notification.objects.awaiting_digest()
                .filter(recipient_id=user_id)
                .select_for_update()
                .order_by("created_at", "pk")
            )
            if not items:
                return None
            digest = Digest.objects.create(user_id=user_id, day=day)
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(
                email_status=EmailStatus.SENDING, digest=digest
            )
    except IntegrityError:
        return None  # today's digest has already gone
    user = digest.user
    if not user.email or not user.is_active:
        Notification.objects.filter(digest=digest).update(email_status=EmailStatus.NOT_SENT)
        digest.delete()
        return None
    try:
        digest_message(user=user, items=items, day=day).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("Daily digest %s failed: %s", digest.pk, error)
        Notification.objects.filter(digest=digest).update(
            email_status=EmailStatus.PENDING, digest=None, last_error=error
        )
        Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.FAILED, last_error=error)
        return None
    now = timezone.now()
    Notification.objects.filter(digest=digest).update(
        email_status=EmailStatus.SENT, sent_at=now, last_error=""
    )
    Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SENT, sent_at=now)
    return f"{user.get_username()}: {len(items)} notification(s)"
