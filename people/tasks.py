"""Background tasks for the e-mails that carry a link to sign in.

The link's secret is made here, in the worker, and goes only into the e-mail: never into the task
queue's arguments (kept in the database) nor, for an invitation, anywhere but as a hash.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from notifications.emails import site_link
from people.emails import invitation_message, password_reset_message
from people.models import Invitation, hash_token, new_token


@task()
def send_invitation(invitation_id: int) -> str:
    """Make the invitation's link (valid for 7 days from now) and e-mail it; "skipped" when the
    invitation already has a link or is no longer open. A failed send leaves it without a link
    (the task fails with the error; "Send again" on the members page tries once more)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("agency", "partnership", "created_by")
            .filter(pk=invitation_id, token_hash="")
            .open()
            .first()
        )
        if invitation is None:
            return "skipped"
        token = new_token()
        now = timezone.now()
        invitation.token_hash = hash_token(token)
        invitation.sent_at = now
        invitation.expires_at = now + Invitation.VALID_FOR
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        link = site_link(reverse("invitation_link", args=[token]))
        invitation_message(invitation, link=link).send()
    return "sent"


@task()
def send_password_reset(user_id: int) -> str:
    """E-mail the person a link to choose a new password (Django's token: it stops working once
    the password changes, and after PASSWORD_RESET_TIMEOUT)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return "skipped"
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_link(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    password_reset_message(user, link=link).send()
    return "sent"
