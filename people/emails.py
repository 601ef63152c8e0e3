"""The e-mails that carry a link to sign in: an invitation, a password reset. Plain text first,
HTML beside it. Built by the worker (people/tasks.py), which makes the link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMultiAlternatives

from notifications.emails import email_message
from people.models import Invitation

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _message(
    *, subject: str, to: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    return email_message(
        subject=subject, to=to, template=f"people/email/{template}", context=context
    )


def invitation_message(invitation: Invitation, *, link: str) -> EmailMultiAlternatives:
    inviter = invitation.created_by
    inviter_name = (inviter.get_full_name() or inviter.get_username()) if inviter else "Someone"
    context = {"invitation": invitation, "link": link, "inviter": inviter_name}
    subject = f"{inviter_name} invites you to CSP Action Plan, for {invitation.agency}"
    return _message(subject=subject, to=invitation.email, template="invitation", context=context)


def password_reset_message(user: User, *, link: str) -> EmailMultiAlternatives:
    context = {"user": user, "link": link}
    return _message(
        subject="Reset your CSP Action Plan password",
        to=user.email,
        template="password_reset",
        context=context,
    )
