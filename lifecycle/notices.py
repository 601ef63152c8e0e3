"""Who is told what when a plan moves: each event of the plan's life becomes notifications (in the
site, and by e-mail as each person prefers: notifications/). Called by the stage services, inside
their transactions; each event is recorded once per person (its key), so a repeated call tells
nobody twice. The person who acted is not told of their own act.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

from lifecycle.models import Agreement, PublishedVersion
from notifications.models import Kind
from notifications.services import notify
from partners.models import Agency, Membership
from priorities.models import Plan

User = get_user_model()


def _address(plan: Plan, name: str) -> str:
    return reverse(name, args=[plan.partnership.slug, plan.period])


def _people(query: Q, *, besides: Any = None) -> QuerySet[Any]:
    people = User.objects.filter(query, is_active=True).distinct().order_by("pk")
    if besides is not None and getattr(besides, "pk", None):
        people = people.exclude(pk=besides.pk)
    return people


def members(plan: Plan, *, besides: Any = None) -> QuerySet[Any]:
    """Everyone of the plan's partnership: its core agencies' people and its coordinators."""
    partnership = plan.partnership
    return _people(
        Q(memberships__agency__partnerships=partnership) | Q(coordinated_partnerships=partnership),
        besides=besides,
    )


def coordinators(plan: Plan, *, besides: Any = None) -> QuerySet[Any]:
    return _people(Q(coordinated_partnerships=plan.partnership), besides=besides)


def _representatives(plan: Plan, agencies: Iterable[Agency] | None = None) -> dict[Agency, list]:
    """The people who speak for each core agency (of `agencies`, when given)."""
    speaking = Membership.objects.speaking_for(partnership=plan.partnership).filter(
        user__is_active=True
    )
    if agencies is not None:
        speaking = speaking.filter(agency__in=list(agencies))
    found: dict[Agency, list] = {}
    for membership in speaking.select_related("agency", "user").order_by("agency__name", "pk"):
        found.setdefault(membership.agency, []).append(membership.user)
    return found


def _title(plan: Plan) -> str:
    return f"{plan.partnership.name} {plan.period}"


def sent_for_agreement(plan: Plan, *, by: Any) -> None:
    """Each core agency's representatives: the plan awaits their agency's answer."""
    for agency, people in _representatives(plan).items():
        notify(
            kind=Kind.SENT_FOR_AGREEMENT,
            recipients=[person for person in people if person.pk != getattr(by, "pk", None)],
            key=f"plan-{plan.pk}-round-{plan.consultation_round}",
            subject=f"{_title(plan)}: {agency.name}'s agreement to the plan is asked for",
            body=(
                f"The coordinator sent “{plan.title}” to the core agencies for agreement. "
                f"Someone who speaks for {agency.name} agrees the plan, or asks for changes."
            ),
            url=_address(plan, "plan_agreement"),
            plan=plan,
            why=f"you speak for {agency.name} in {plan.partnership.name}",
        )


def round_cleared(plan: Plan, *, previous_round: int) -> None:
    """An edit during consultation started a new round: the agencies that had answered are told
    that their answer no longer counts, and what to do."""
    answered = Agreement.objects.filter(plan=plan, round=previous_round).values("agency")
    agencies = Agency.objects.filter(pk__in=answered)
    for agency, people in _representatives(plan, agencies).items():
        notify(
            kind=Kind.ROUND_CLEARED,
            recipients=people,
            key=f"plan-{plan.pk}-round-{plan.consultation_round}",
            subject=f"{_title(plan)}: the plan changed, so {agency.name}'s answer is asked again",
            body=(
                f"“{plan.title}” was changed after {agency.name} answered, so earlier answers no "
                "longer count. See what changed, then agree the plan or ask for changes again."
            ),
            url=_address(plan, "plan_agreement"),
            plan=plan,
            why=f"you speak for {agency.name} in {plan.partnership.name}",
        )


def _unanswered(plan: Plan) -> int:
    """How many core agencies have not answered in the plan's current round."""
    answered_now = plan.agreements.filter(round=plan.consultation_round).values("agency")
    return plan.partnership.core_agencies.exclude(pk__in=answered_now).count()


def answered(plan: Plan, answers: Iterable[Agreement], *, by: Any) -> None:
    """Agencies answered (online, or at a meeting): the coordinators hear of each request for
    changes, and once every core agency has answered."""
    for answer in answers:
        if answer.asks_for_changes:
            notify(
                kind=Kind.CHANGES_REQUESTED,
                recipients=coordinators(plan, besides=by),
                key=f"plan-{plan.pk}-round-{plan.consultation_round}-agency-{answer.agency_id}",
                subject=f"{_title(plan)}: {answer.agency.name} asks for changes",
                body=f"{answer.agency.name} asks for changes to “{plan.title}”: {answer.comment}",
                url=_address(plan, "plan_readiness"),
                plan=plan,
                why=f"you coordinate {plan.partnership.name}",
            )
    if _unanswered(plan) == 0:
        notify(
            kind=Kind.ALL_ANSWERED,
            recipients=coordinators(plan, besides=by),
            key=f"plan-{plan.pk}-round-{plan.consultation_round}",
            subject=f"{_title(plan)}: every core agency has answered",
            body=(
                f"Every core agency has answered “{plan.title}” in this round of agreement. "
                "Mark the plan agreed, or reopen the draft if changes were asked for."
            ),
            url=_address(plan, "plan_readiness"),
            plan=plan,
            why=f"you coordinate {plan.partnership.name}",
        )


def _news(plan: Plan, *, kind: Kind, key: str, subject: str, body: str, url: str, by: Any) -> None:
    notify(
        kind=kind,
        recipients=members(plan, besides=by),
        key=key,
        subject=f"{_title(plan)}: {subject}",
        body=body,
        url=url,
        plan=plan,
        why=f"you are a member of {plan.partnership.name}",
    )


def agreed(plan: Plan, *, by: Any) -> None:
    _news(
        plan,
        kind=Kind.PLAN_AGREED,
        key=f"plan-{plan.pk}-revision-{plan.revision}-agreed",
        subject="the plan is agreed",
        body=f"“{plan.title}” is agreed. The coordinator publishes it next.",
        url=_address(plan, "plan_readiness"),
        by=by,
    )


def published(plan: Plan, version: PublishedVersion, *, by: Any) -> None:
    _news(
        plan,
        kind=Kind.PLAN_PUBLISHED,
        key=f"plan-{plan.pk}-version-{version.number}",
        subject=f"version {version.number} of the plan is published",
        body=f"“{plan.title}” is published as version {version.number}: the public can read it.",
        url=plan.get_absolute_url(),
        by=by,
    )


def amended(plan: Plan, *, by: Any) -> None:
    _news(
        plan,
        kind=Kind.PLAN_AMENDED,
        key=f"plan-{plan.pk}-revision-{plan.revision}-amended",
        subject="the plan is being amended",
        body=(
            f"A new draft revision of “{plan.title}” was started: partners can edit it. The "
            "public keeps reading the published version until the next one is published."
        ),
        url=plan.get_workspace_url(),
        by=by,
    )


def on_round_started(sender: type, *, plan: Plan, previous_round: int, **kwargs: Any) -> None:
    """Receiver of priorities.signals.consultation_round_started."""
    round_cleared(plan, previous_round=previous_round)
