"""The partnership's people: inviting them, their agencies and roles, leavers, requests to join.

Services take values and the acting person (`by`); the pages check the rules first
(partners/permissions.py), the admin its own permissions. Every change of a membership or of the
coordinators is recorded by django-simple-history with its author (`by`) and, where it says
more, a reason; people/changes.py turns that history into the members page's list.

E-mail never goes out here: it is queued, once the transaction commits, for the worker
(people/tasks.py for the e-mails that carry a link to sign in, notifications' `send_email` for
the others).

Signing in with an organisation's account (OpenID Connect, people/oidc.py) calls
`organisation_sign_in(email=…)`: an invited person is let in through `invitation_accept(invitation,
user=…)`; someone uninvited at an allowed domain asks through `access_request_create(…)` and waits
until a coordinator calls `access_request_approve(…)` or `access_request_refuse(…)`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.emails import site_link
from notifications.tasks import queue_email
from partners.domains import domain_of, email_domains, validate_email_domains
from partners.history import record_author
from partners.models import Agency, Membership, Partnership
from people.models import AccessRequest, Invitation, PasswordResetRequest, hash_token
from people.tasks import send_invitation, send_password_reset

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class InvitationUnusable(ValidationError):
    """The invitation's link no longer works: used, cancelled or expired."""


def person_name(user: User | None) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def _account_for_email(email: str) -> User | None:
    """The account with this address: an active one first, else the most recent."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email.strip())
        .order_by("-is_active", "-last_login", "-pk")
        .first()
    )


# -- Memberships and the coordinators (recorded by django-simple-history).


def membership_add(
    *, by: User | None, person: User, agency: Agency, may_speak_for_agency: bool, reason: str = ""
) -> Membership:
    """Make the person a member of the agency (speaking for it if asked); an existing member is
    only made to speak for it, never stopped from it."""
    membership = Membership.objects.filter(user=person, agency=agency).first()
    if membership is not None:
        if may_speak_for_agency and not membership.may_speak_for_agency:
            membership_speaks_for_set(by=by, membership=membership, speaks=True, reason=reason)
        return membership
    membership = Membership(user=person, agency=agency, may_speak_for_agency=may_speak_for_agency)
    _record(membership, by, reason)
    membership.save()
    return membership


def membership_speaks_for_set(
    *, by: User | None, membership: Membership, speaks: bool, reason: str = ""
) -> Membership:
    """Let the member speak for their agency (agree plans for it), or stop them."""
    if membership.may_speak_for_agency != speaks:
        membership.may_speak_for_agency = speaks
        _record(membership, by, reason)
        membership.save(update_fields=["may_speak_for_agency"])
    return membership


def member_remove(*, by: User, membership: Membership) -> bool:
    """End the person's membership of the agency. A person who then belongs nowhere (no agency,
    coordinating nothing) has left: their account is closed (deactivated, never deleted, so their
    history still names them). Returns whether the account was closed."""
    person = membership.user
    if person.pk == by.pk:
        raise ValidationError(
            "You cannot remove yourself: ask the partnership's coordinator to do it."
        )
    with transaction.atomic():
        leaves = not _belongs_elsewhere(person, but_not=membership)
        closes = leaves and _may_close(person)
        _record(membership, by, "has left: account closed" if closes else "")
        membership.delete()
        if closes:
            _close_account(person)
    return closes


def coordinator_add(*, by: User, partnership: Partnership, person: User) -> None:
    """Make a member of one of the partnership's core agencies one of its coordinators."""
    is_member = Membership.objects.filter(
        user=person, agency__partnerships=partnership, user__is_active=True
    ).exists()
    if not is_member:
        raise ValidationError(
            f"{person_name(person)} is not a member of any of the partnership's agencies: "
            "invite them to an agency first."
        )
    if partnership.coordinators.filter(pk=person.pk).exists():
        return
    _record(partnership, by, "")
    partnership.coordinators.add(person)


def coordinator_remove(*, by: User, partnership: Partnership, person: User) -> bool:
    """Stop the person coordinating the partnership (it keeps at least one coordinator). Someone
    who then belongs nowhere has left: their account is closed. Returns whether it was."""
    coordinators = list(partnership.coordinators.values_list("pk", flat=True))
    if person.pk not in coordinators:
        return False
    if coordinators == [person.pk]:
        raise ValidationError(
            "A partnership needs a coordinator: make someone else a coordinator first."
        )
    with transaction.atomic():
        closes = (
            not Membership.objects.filter(user=person).exists()
            and not person.coordinated_partnerships.exclude(pk=partnership.pk).exists()
            and _may_close(person)
        )
        _record(partnership, by, "has left: account closed" if closes else "")
        partnership.coordinators.remove(person)
        if closes:
            _close_account(person)
    return closes


def partnership_domains_set(*, by: User, partnership: Partnership, domains: str) -> list[str]:
    """Set the partnership's allowed e-mail domains (as written: commas, spaces or lines between
    them); returns them, one each, in order."""
    validate_email_domains(domains)
    found = email_domains(domains)
    text = "\n".join(found)
    if text != partnership.allowed_email_domains:
        partnership.allowed_email_domains = text
        _record(partnership, by, "")
        partnership.save(update_fields=["allowed_email_domains"])
    return found


def _record(obj: Membership | Partnership, by: User | None, reason: str) -> None:
    """Name the author and the reason django-simple-history records for the next change of
    `obj` (its documented hooks)."""
    record_author(obj, by)
    obj._change_reason = reason or None  # type: ignore[union-attr]


def _belongs_elsewhere(person: User, *, but_not: Membership) -> bool:
    return (
        Membership.objects.filter(user=person).exclude(pk=but_not.pk).exists()
        or person.coordinated_partnerships.exists()
    )


def _may_close(person: User) -> bool:
    # The installation's administrators keep their accounts: the admin decides about them.
    return person.is_active and not (person.is_staff or person.is_superuser)


def _close_account(person: User) -> None:
    person.is_active = False
    person.save(update_fields=["is_active"])


# -- Invitations.


def invitation_create(
    *,
    by: User,
    agency: Agency,
    email: str,
    first_name: str = "",
    last_name: str = "",
    partnership: Partnership | None = None,
    may_speak_for_agency: bool = False,
) -> Invitation | Membership:
    """Invite the person at this address to the agency: an e-mail with a link valid for 7 days,
    sent by the worker. Someone who already has an account is made a member at once (and told
    by e-mail): the Membership is returned instead. An invitation already open for the same
    address and agency is sent again."""
    email = email.strip()
    account = _account_for_email(email)
    if account is not None and account.memberships.filter(agency=agency).exists():
        raise ValidationError(f"{email} is already a member of {agency}.")
    if account is not None and account.is_active:
        return _add_existing(
            by=by,
            person=account,
            agency=agency,
            partnership=partnership,
            speaks=may_speak_for_agency,
        )
    with transaction.atomic():
        invitation = Invitation.objects.open().for_email(email).filter(agency=agency).first()
        if invitation is None:
            invitation = Invitation(email=email, agency=agency, created_by=by)
        invitation.first_name = first_name.strip()
        invitation.last_name = last_name.strip()
        invitation.partnership = partnership
        invitation.may_speak_for_agency = may_speak_for_agency
        invitation.save()
        _queue_invitation(invitation)
    return invitation


def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send the invitation again: a new link, valid for 7 days from sending; the old link stops
    working."""
    if invitation.accepted_at or invitation.cancelled_at:
        raise ValidationError("This invitation has been accepted or cancelled: invite them again.")
    with transaction.atomic():
        _queue_invitation(invitation)
    return invitation


def invitation_cancel(*, by: User, invitation: Invitation) -> Invitation:
    """Cancel an invitation: its link stops working."""
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been accepted.")
    if invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.cancelled_by = by
        invitation.save(update_fields=["cancelled_at", "cancelled_by"])
    return invitation


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation whose current link carries this token, whatever its state (None if none
    does: a made-up token, or a link replaced by "Send again")."""
    return invitation_from_token_hash(hash_token(token)) if token else None


def invitation_from_token_hash(token_hash: str) -> Invitation | None:
    if not token_hash:
        return None
    return (
        Invitation.objects.select_related("agency", "partnership", "created_by")
        .filter(token_hash=token_hash)
        .first()
    )


def invitation_for_email(email: str) -> Invitation | None:
    """The newest invitation to this address whose link still works (sent, neither accepted nor
    cancelled, not expired): for signing in with an organisation's account as an invited
    person."""
    return (
        Invitation.objects.usable()
        .for_email(email)
        .select_related("agency", "partnership", "created_by")
        .order_by("-sent_at", "-pk")
        .first()
    )


def invitation_accept(
    invitation: Invitation,
    *,
    user: User | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Turn the invitation into a member of its agency, once. Either `user`, the account of
    someone who signed in with their organisation's account at the invited address, or
    `password`, which the password rules check (ValidationError with their messages), for a
    new account named by the address (a leaver's closed account at the address is opened
    again, its history kept). Raises InvitationUnusable (a ValidationError) when the link no
    longer works."""
    if (user is None) == (password is None):
        raise ValueError("Give either the person's account or a password.")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable():
            raise InvitationUnusable(unusable_reason(invitation), code=invitation.status)
        if user is not None:
            person = _invited_account(invitation, user)
        else:
            assert password is not None
            person = _account_with_password(invitation, password, first_name, last_name)
        membership_add(
            by=person,
            person=person,
            agency=invitation.agency,
            may_speak_for_agency=invitation.may_speak_for_agency,
            reason=f"accepted the invitation from {person_name(invitation.created_by)}"[:100],
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return person


def unusable_reason(invitation: Invitation) -> str:
    """Why the link no longer works, in a sentence for the person who followed it."""
    return {
        "accepted": "This invitation has already been used. Sign in with your e-mail address "
        "and password, or reset your password if you have forgotten it.",
        "cancelled": "This invitation has been cancelled. Ask the person who invited you.",
    }.get(
        invitation.status,
        "This invitation has expired: the link works for 7 days. Ask the person who invited you "
        "to send it again.",
    )


def _invited_account(invitation: Invitation, user: User) -> User:
    if user.email.strip().lower() != invitation.email.strip().lower():
        raise ValidationError("This invitation was sent to another e-mail address.")
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def _account_with_password(
    invitation: Invitation, password: str, first_name: str, last_name: str
) -> User:
    person = _account_for_email(invitation.email) or _new_account(invitation.email)
    person.first_name = (first_name or invitation.first_name).strip()
    person.last_name = (last_name or invitation.last_name).strip()
    validate_password(password, person)
    person.set_password(password)
    person.is_active = True
    person.save()
    return person


def _new_account(email: str) -> User:
    """A new account (not saved yet) named by the address, as every account made here is."""
    model = get_user_model()
    username = email.strip().lower()
    if model.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            f"An account named {username} exists already, with another e-mail address: "
            "ask your partnership's coordinator."
        )
    return model(username=username, email=email.strip())


def _add_existing(
    *, by: User, person: User, agency: Agency, partnership: Partnership | None, speaks: bool
) -> Membership:
    membership = membership_add(
        by=by, person=person, agency=agency, may_speak_for_agency=speaks, reason=""
    )
    where = f" in {partnership}" if partnership else ""
    queue_email(
        to=[person.email],
        subject=f"You are now a member of {agency} in CSP Action Plan",
        text=f"{person_name(by)} added you to {agency}{where}.\n\n"
        f"Sign in as usual to see your agency's actions: {site_link(reverse('my_work'))}\n",
    )
    return membership


def _queue_invitation(invitation: Invitation) -> None:
    """A new link, made and e-mailed by the worker once this is committed; until then the
    invitation has no working link."""
    Invitation.objects.filter(pk=invitation.pk).update(token_hash="", sent_at=None, expires_at=None)
    transaction.on_commit(functools.partial(send_invitation.enqueue, invitation.pk), robust=True)


# -- Requests to join from people who signed in with their organisation's account, uninvited.


def partnerships_allowing_email(email: str) -> list[Partnership]:
    """The partnerships whose allowed e-mail domains include this address's."""
    return list(Partnership.objects.allowing_email(email).order_by("name"))


def access_request_create(
    *,
    email: str,
    partnership: Partnership,
    first_name: str = "",
    last_name: str = "",
    agency_guess: Agency | None = None,
    user: User | None = None,
) -> AccessRequest:
    """Record that someone at one of the partnership's allowed domains asks to join, and tell its
    coordinators by e-mail. Asking again while waiting changes nothing but the details given."""
    email = email.strip()
    if not partnership.allows_email(email):
        raise ValidationError(f"{partnership} does not accept people from {email}'s domain.")
    if agency_guess is not None and not partnership.core_agencies.filter(pk=agency_guess.pk):
        agency_guess = None
    with transaction.atomic():
        request = (
            AccessRequest.objects.select_for_update()
            .filter(partnership=partnership, email__iexact=email, outcome="pending")
            .first()
        )
        is_new = request is None
        request = request or AccessRequest(partnership=partnership, email=email)
        request.first_name = first_name.strip() or request.first_name
        request.last_name = last_name.strip() or request.last_name
        request.agency_guess = agency_guess or request.agency_guess
        request.user = user or request.user
        request.save()
        if is_new:
            _tell_coordinators(request)
    return request


def access_request_approve(
    *,
    access_request: AccessRequest,
    by: User,
    agency: Agency,
    may_speak_for_agency: bool = False,
) -> User:
    """Let the person in, as a member of the agency (a core agency of the partnership): their
    account is the one recorded with the request, or the one at their address, or a new one
    (named by the address, without a password: they sign in with their organisation's account).
    They are told by e-mail."""
    if not access_request.partnership.core_agencies.filter(pk=agency.pk).exists():
        raise ValidationError(f"{agency} is not a core agency of {access_request.partnership}.")
    with transaction.atomic():
        access_request = _pending(access_request)
        person = access_request.user or _account_for_email(access_request.email)
        if person is None:
            person = _new_account(access_request.email)
            person.set_unusable_password()
        person.first_name = person.first_name or access_request.first_name
        person.last_name = person.last_name or access_request.last_name
        person.is_active = True
        person.save()
        membership_add(
            by=by,
            person=person,
            agency=agency,
            may_speak_for_agency=may_speak_for_agency,
            reason="asked to join; approved",
        )
        _decide(access_request, by, AccessRequest.Outcome.APPROVED, agency=agency, user=person)
    queue_email(
        to=[access_request.email],
        subject=f"You can now use CSP Action Plan for {access_request.partnership}",
        text=f"{person_name(by)} approved your request to join {access_request.partnership}, "
        f"as a member of {agency}.\n\nSign in with your organisation's account: "
        f"{site_link(reverse('login'))}\n",
    )
    return person


def access_request_refuse(
    *, access_request: AccessRequest, by: User, reason: str = ""
) -> AccessRequest:
    """Refuse the request (the reason is kept for the coordinators, not sent)."""
    with transaction.atomic():
        access_request = _pending(access_request)
        _decide(access_request, by, AccessRequest.Outcome.REFUSED, reason=reason.strip())
    return access_request


def _pending(access_request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if not locked.is_pending:
        raise ValidationError("This request has already been decided.")
    return locked


def _decide(
    access_request: AccessRequest,
    by: User,
    outcome: str,
    *,
    agency: Agency | None = None,
    user: User | None = None,
    reason: str = "",
) -> None:
    access_request.outcome = outcome
    access_request.decided_by = by
    access_request.decided_at = timezone.now()
    access_request.agency = agency
    access_request.user = user or access_request.user
    access_request.reason = reason
    access_request.save()


def _tell_coordinators(request: AccessRequest) -> None:
    recipients = [
        person.email
        for person in request.partnership.coordinators.filter(is_active=True).exclude(email="")
    ]
    if not recipients:
        return
    who = f"{request.name} ({request.email})" if request.name else request.email
    link = site_link(reverse("members_list", args=[request.partnership.slug]))
    queue_email(
        to=recipients,
        subject=f"{who} asks to join {request.partnership}",
        text=f"{who} signed in with their organisation's account and asks to join "
        f"{request.partnership}. Approve the request, choosing their agency, or refuse it on "
        f"the members page: {link}\n\nYou get this because you coordinate the partnership.\n",
    )


# -- Signing in with the organisation's account (single sign-on, people/oidc.py).


@dataclass(frozen=True)
class OrganisationSignIn:
    """What signing in with an organisation's account comes to: the person's account, signed in;
    or their requests to join, waiting for a coordinator; or a refusal, in a sentence."""

    user: User | None = None
    waiting: list[AccessRequest] = field(default_factory=list)
    refusal: str = ""
    email: str = ""


def organisation_sign_in(
    *, email: str, email_verified: bool = True, first_name: str = "", last_name: str = ""
) -> OrganisationSignIn:
    """Who may come in with the address their organisation's provider vouches for:

    - an invitation to the address whose link still works: accepted, into the account at the
      address (opened again if it was closed) or a new one without a password;
    - otherwise the one active account at the address;
    - a closed account (a leaver) is refused: only a new invitation opens it again;
    - nobody else comes in: at a partnership's allowed domain they ask to join (one request per
      such partnership, the coordinators told) and wait; at any other domain they are refused.
    """
    email = email.strip()
    if not email or not email_verified:
        return OrganisationSignIn(
            refusal="Your organisation's account did not give a confirmed e-mail address, "
            "which is how CSP Action Plan knows who you are.",
            email=email,
        )
    accounts = list(
        get_user_model().objects.filter(email__iexact=email).order_by("-is_active", "-pk")
    )
    active = [account for account in accounts if account.is_active]
    if len(active) > 1:
        return OrganisationSignIn(
            refusal=f"More than one account has the address {email}: ask your partnership's "
            "coordinator to sort it out.",
            email=email,
        )
    invitation = invitation_for_email(email)
    if invitation is not None:
        try:
            return OrganisationSignIn(
                user=_accept_as_organisation_account(
                    invitation, accounts[0] if accounts else None, email, first_name, last_name
                ),
                email=email,
            )
        except ValidationError as exc:  # accepted a moment ago, or the username is taken
            return OrganisationSignIn(refusal=" ".join(exc.messages), email=email)
    if active:
        return OrganisationSignIn(user=active[0], email=email)
    if accounts:
        return OrganisationSignIn(
            refusal=f"The account for {email} has been closed. If you have joined again, ask "
            "your partnership's coordinator to invite you.",
            email=email,
        )
    partnerships = partnerships_allowing_email(email)
    if not partnerships:
        return OrganisationSignIn(
            refusal=f"CSP Action Plan does not know the address {email}, and no partnership "
            f"here accepts people from {domain_of(email)} without an invitation.",
            email=email,
        )
    waiting = [
        access_request_create(
            email=email, partnership=partnership, first_name=first_name, last_name=last_name
        )
        for partnership in partnerships
    ]
    return OrganisationSignIn(waiting=waiting, email=email)


def _accept_as_organisation_account(
    invitation: Invitation, account: User | None, email: str, first_name: str, last_name: str
) -> User:
    with transaction.atomic():
        if account is None:
            account = _new_account(email)
            account.set_unusable_password()
        account.first_name = account.first_name or first_name.strip() or invitation.first_name
        account.last_name = account.last_name or last_name.strip() or invitation.last_name
        account.save()
        return invitation_accept(invitation, user=account)


# -- Password reset e-mails: throttled as signing in is.


def password_reset_allowed(
    *, email: str, ip_address: str | None, now: datetime.datetime | None = None
) -> bool:
    """Whether another reset e-mail may be asked for this address from this network address;
    if so, the request is counted. As for signing in (django-axes): at most LOGIN_FAILURE_LIMIT
    requests per address and network address in LOGIN_LOCKOUT_MINUTES, and four times that from
    one network address whatever the e-mail addresses."""
    now = now or timezone.now()
    window_start = now - settings.AXES_COOLOFF_TIME
    limit = settings.AXES_FAILURE_LIMIT
    email_hash = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    with transaction.atomic():
        PasswordResetRequest.objects.filter(created_at__lt=window_start).delete()
        recent = PasswordResetRequest.objects.filter(
            created_at__gte=window_start, ip_address=ip_address
        )
        if recent.filter(email_hash=email_hash).count() >= limit or recent.count() >= 4 * limit:
            return False
        PasswordResetRequest.objects.create(
            email_hash=email_hash, ip_address=ip_address, created_at=now
        )
    return True


def queue_password_resets(users: Iterable[User]) -> None:
    """Queue a reset e-mail to each of these people, for the worker (which makes the link)."""
    for user in users:
        transaction.on_commit(functools.partial(send_password_reset.enqueue, user.pk), robust=True)
