"""Every change of a partnership's membership, in words: who did what, when.

Read from what records it: django-simple-history's history of the memberships (joined, left,
speaks for the agency) and of the partnership (its coordinators and allowed e-mail domains), the
invitations, and the requests to join.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from partners.models import Agency, Membership, Partnership
from people.models import AccessRequest, Invitation

# The first record of what existed before the history was kept (partners' migration 0002):
# compared with, never listed.
BASELINE = "history begins"
# The newest changes shown.
LIMIT = 100


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    who: str
    what: str


def membership_changes(
    *, partnership: Partnership, agencies: Collection[Agency], with_partnership: bool
) -> list[Change]:
    """The newest changes first: of the people of these agencies; and, `with_partnership`, of
    the coordinators, the allowed domains and the requests to join."""
    names = dict(agency_names(agencies))
    changes = _membership_history(names) + _invitations(names)
    if with_partnership:
        changes += _partnership_history(partnership) + _requests(partnership)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:LIMIT]


def agency_names(agencies: Iterable[Agency]) -> Iterable[tuple[int, str]]:
    return ((agency.pk, agency.name) for agency in agencies)


class _People:
    """Names of people by id, read in one query (closed accounts included)."""

    def __init__(self, ids: Iterable[int | None]) -> None:
        wanted = {pk for pk in ids if pk is not None}
        self.names = {
            user.pk: user.get_full_name() or user.get_username()
            for user in get_user_model().objects.filter(pk__in=wanted)
        }

    def __call__(self, pk: int | None, default: str = "System") -> str:
        return self.names.get(pk, default) if pk is not None else default


def _membership_history(agencies: dict[int, str]) -> list[Change]:
    records = list(
        Membership.history.filter(agency_id__in=agencies).order_by("id", "history_date", "pk")
    )
    people = _People([r.user_id for r in records] + [r.history_user_id for r in records])
    changes = []
    previous: dict[int, Any] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_change_reason == BASELINE:
            continue
        what = _membership_change(record, before, people(record.user_id, "someone"), agencies)
        if what:
            reason = record.history_change_reason
            changes.append(
                Change(
                    when=record.history_date,
                    who=people(record.history_user_id),
                    what=f"{what} ({reason})" if reason else what,
                )
            )
    return changes


def _membership_change(record: Any, before: Any, person: str, agencies: dict[int, str]) -> str:
    agency = agencies.get(record.agency_id, "an agency")
    if record.history_type == "+":
        role = " as its representative" if record.may_speak_for_agency else ""
        return f"{person} joined {agency}{role}"
    if record.history_type == "-":
        return f"{person} was removed from {agency}"
    if before is not None and before.may_speak_for_agency != record.may_speak_for_agency:
        if record.may_speak_for_agency:
            return f"{person} now speaks for {agency}"
        return f"{person} no longer speaks for {agency}"
    if before is not None and (before.user_id, before.agency_id) != (
        record.user_id,
        record.agency_id,
    ):
        return f"{person}'s membership of {agency} was changed"
    return ""


def _partnership_history(partnership: Partnership) -> list[Change]:
    records = list(partnership.history.order_by("history_date", "pk"))
    links = apps.get_model("partners", "HistoricalPartnership_coordinators")
    coordinators: dict[int, set[int]] = {record.pk: set() for record in records}
    for history_id, user_id in links.objects.filter(history__in=records).values_list(
        "history_id", "user_id"
    ):
        coordinators[history_id].add(user_id)
    people = _People(
        [user for users in coordinators.values() for user in users]
        + [r.history_user_id for r in records]
    )
    changes = []
    before_people: set[int] = set()
    before_domains = ""
    for record in records:
        now_people, now_domains = coordinators[record.pk], record.allowed_email_domains
        if record.history_change_reason != BASELINE:
            what = [
                f"made {people(pk, 'someone')} a coordinator" for pk in now_people - before_people
            ]
            what += [
                f"{people(pk, 'someone')} no longer coordinates"
                for pk in before_people - now_people
            ]
            if now_domains != before_domains:
                listed = ", ".join(now_domains.split()) or "none"
                what.append(f"set the allowed e-mail domains: {listed}")
            if record.history_change_reason:
                what.append(record.history_change_reason)
            if what and what != [record.history_change_reason]:
                who = people(record.history_user_id)
                changes.append(Change(record.history_date, who, _sentence("; ".join(what))))
        before_people, before_domains = now_people, now_domains
    return changes


def _invitations(agencies: dict[int, str]) -> list[Change]:
    changes = []
    invitations = Invitation.objects.filter(agency_id__in=agencies).select_related(
        "created_by", "cancelled_by"
    )
    for invitation in invitations:
        agency = agencies[invitation.agency_id]
        who = _name(invitation.created_by) or "System"
        role = " to speak for it" if invitation.may_speak_for_agency else ""
        changes.append(
            Change(invitation.created_at, who, f"Invited {invitation.email} to {agency}{role}")
        )
        if invitation.cancelled_at:
            changes.append(
                Change(
                    invitation.cancelled_at,
                    _name(invitation.cancelled_by) or "System",
                    f"Cancelled the invitation of {invitation.email} to {agency}",
                )
            )
    return changes


def _requests(partnership: Partnership) -> list[Change]:
    changes = []
    for request in partnership.access_requests.select_related("decided_by"):
        who = f"{request.name} ({request.email})" if request.name else request.email
        changes.append(
            Change(
                request.created_at,
                who,
                "Asked to join, signing in with their organisation's account",
            )
        )
        if request.outcome == AccessRequest.Outcome.REFUSED and request.decided_at:
            changes.append(
                Change(
                    request.decided_at,
                    _name(request.decided_by) or "System",
                    f"Refused {request.email}'s request to join",
                )
            )
    return changes


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""
