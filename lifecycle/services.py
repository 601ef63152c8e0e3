"""The plan's life: who may move it, what must be true first, and what is recorded.

Each stage change is a method of the plan (priorities.models.Plan) that checks the stage and
says why not; the services here add who may do it (partners/permissions.py), what else must be
true (readiness, agreements), and what is recorded (agreements, published versions).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from actions.models import Action, Outcome
from lifecycle import notices
from lifecycle.models import Agreement, PublishedVersion
from lifecycle.published_files import queue_drawing
from lifecycle.readiness import plan_readiness
from lifecycle.snapshot import plan_snapshot, serialise
from partners.history import record_author
from partners.models import Agency
from partners.permissions import Refused, answer_refusal, require, speaks_for
from priorities.models import Plan, Priority
from tracking.models import ProgressUpdate
from tracking.progress import with_latest_update
from tracking.reporting import reporting_periods_copy

# -- The plan's life: who may move it, what must be true first, and what is recorded.


def _require(user: Any, permission: str, plan: Plan, message: str) -> None:
    require(user, permission, plan, message)


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("partnership").get(pk=plan.pk)


COORDINATOR_ONLY = "Only the partnership's coordinator can {}."


def _locked_for_coordinator(plan: Plan, user: Any, *, to: str) -> Plan:
    """The plan, locked for a stage change, once the person may run it ("Only the partnership's
    coordinator can <to>" if not)."""
    _require(user, "lifecycle.run_plan", plan, COORDINATOR_ONLY.format(to))
    return _locked(plan)


@transaction.atomic
def plan_send_for_agreement(*, plan: Plan, user: Any) -> Plan:
    plan = _locked_for_coordinator(plan, user, to="send the plan for agreement")
    plan.require_stage({Plan.Status.DRAFT}, "sent for agreement")
    blockers = plan_readiness(plan).blockers
    if blockers:
        count = len(blockers)
        raise ValidationError(
            f"The plan cannot be sent for agreement yet: {count} blocker"
            f"{'s' if count != 1 else ''} remain{'' if count != 1 else 's'}, "
            f"starting with: {blockers[0].text}.",
            code="blockers",
        )
    record_author(plan, user)
    plan.send_for_agreement()
    notices.sent_for_agreement(plan, by=user)
    return plan


ANSWERS = (Agreement.Decision.AGREED, Agreement.Decision.CHANGES_REQUESTED)


def _checked_comment(decision: str, comment: str, *, agency: Agency | None = None) -> str:
    """The answer's comment, once the answer is one an agency may give (agreed, or asked for
    changes, saying which)."""
    if decision not in ANSWERS:
        raise ValidationError("Choose whether the agency agrees or asks for changes.")
    comment = comment.strip()
    if decision == Agreement.Decision.CHANGES_REQUESTED and not comment:
        if agency is None:
            raise ValidationError({"comment": "Say what changes the agency is asking for."})
        raise ValidationError(f"Say what changes {agency} asked for.")
    return comment


def _record_answer(
    plan: Plan,
    agency: Agency,
    *,
    user: Any,
    decision: str,
    comment: str,
    meeting_date: datetime.date | None = None,
    minutes_reference: str = "",
) -> Agreement:
    """The agency's answer in the plan's current round (a later answer replaces an earlier), given
    online or, with its date, at a meeting."""
    answer, _ = Agreement.objects.update_or_create(
        plan=plan,
        agency=agency,
        round=plan.consultation_round,
        defaults={
            "decision": decision,
            "comment": comment,
            "decided_by": user,
            "decided_at": timezone.now(),
            "meeting_date": meeting_date,
            "minutes_reference": minutes_reference,
        },
    )
    return answer


@transaction.atomic
def plan_answer(
    *, plan: Plan, user: Any, agency: Agency, decision: str, comment: str = ""
) -> Agreement:
    """An agency agrees the plan, or asks for changes, through someone who speaks for it."""
    if not speaks_for(user, agency, plan.partnership):
        raise Refused(
            answer_refusal(user, plan.partnership, agency), partnership_id=plan.partnership_id
        )
    plan = _locked(plan)
    plan.require_stage({Plan.Status.CONSULTATION}, "agreed or questioned")
    comment = _checked_comment(decision, comment)
    answer = _record_answer(plan, agency, user=user, decision=decision, comment=comment)
    notices.answered(plan, [answer], by=user)
    return answer


class MeetingAnswer(NamedTuple):
    """An agency's answer given at a board meeting: agreed, or asked for changes (which)."""

    decision: str  # Agreement.Decision.AGREED or Agreement.Decision.CHANGES_REQUESTED
    comment: str = ""


@transaction.atomic
def plan_record_meeting(
    *,
    plan: Plan,
    user: Any,
    date: datetime.date,
    minutes_reference: str,
    answers: Mapping[Agency, MeetingAnswer],
) -> list[Agreement]:
    """The answers core agencies gave at a board meeting, recorded by the coordinator: each
    becomes the agency's answer in the current round, as if given online (the same rules as
    `plan_answer`), with the meeting's date and the minutes' reference. All or none."""
    plan = _locked_for_coordinator(plan, user, to="record the answers given at a meeting")
    plan.require_stage({Plan.Status.CONSULTATION}, "agreed or questioned")
    minutes_reference = minutes_reference.strip()
    _check_meeting(plan, date, minutes_reference, answers)
    comments = {
        agency: _checked_comment(answer.decision, answer.comment, agency=agency)
        for agency, answer in answers.items()
    }
    recorded = [
        _record_answer(
            plan,
            agency,
            user=user,
            decision=answer.decision,
            comment=comments[agency],
            meeting_date=date,
            minutes_reference=minutes_reference,
        )
        for agency, answer in sorted(answers.items(), key=lambda item: item[0].name)
    ]
    notices.answered(plan, recorded, by=user)
    return recorded


def _check_meeting(
    plan: Plan, date: datetime.date, minutes_reference: str, answers: Mapping[Agency, Any]
) -> None:
    """The meeting has happened, its minutes are named, and it answered for core agencies."""
    errors: dict[str, str] = {}
    if date > timezone.localdate():
        errors["date"] = "The date of the meeting must be today or in the past."
    if not minutes_reference:
        errors["minutes_reference"] = "Enter the minutes reference."
    if errors:
        raise ValidationError(errors)
    if not answers:
        raise ValidationError("Record the answer of at least one agency.", code="no_answers")
    core = set(plan.partnership.core_agencies.values_list("pk", flat=True))
    outside = sorted(agency.name for agency in answers if agency.pk not in core)
    if outside:
        raise ValidationError(
            f"Only core agencies answer for the plan: {', '.join(outside)} "
            f"{'is' if len(outside) == 1 else 'are'} not one.",
            code="not_core",
        )


@transaction.atomic
def plan_reopen_draft(*, plan: Plan, user: Any) -> Plan:
    plan = _locked_for_coordinator(plan, user, to="reopen the draft")
    plan.require_stage({Plan.Status.CONSULTATION}, "reopened as a draft")
    if not plan_readiness(plan).changes_requested:
        raise ValidationError(
            "The draft can be reopened only when an agency has asked for changes.",
            code="no_request",
        )
    record_author(plan, user)
    plan.reopen_draft()
    return plan


@transaction.atomic
def plan_mark_agreed(*, plan: Plan, user: Any, reasons: dict[int, str] | None = None) -> Plan:
    """Every core agency agreed, or the coordinator wrote why the plan goes ahead without it."""
    plan = _locked_for_coordinator(plan, user, to="mark the plan agreed")
    plan.require_stage({Plan.Status.CONSULTATION}, "marked as agreed")
    reasons = {k: (v or "").strip() for k, v in (reasons or {}).items()}
    pending = plan_readiness(plan).pending
    unexplained = [a.agency.name for a in pending if not reasons.get(a.agency.pk)]
    if unexplained:
        raise ValidationError(
            "Every core agency must agree, or a reason must be recorded for each that has not: "
            f"no reason given for {', '.join(unexplained)}.",
            code="not_agreed",
        )
    now = timezone.now()
    for answer in pending:
        Agreement.objects.update_or_create(
            plan=plan,
            agency=answer.agency,
            round=plan.consultation_round,
            defaults={
                "decision": Agreement.Decision.WAIVED,
                "comment": reasons[answer.agency.pk],
                "decided_by": user,
                "decided_at": now,
                "meeting_date": None,
                "minutes_reference": "",
            },
        )
    record_author(plan, user)
    plan.mark_agreed()
    notices.agreed(plan, by=user)
    return plan


@transaction.atomic
def plan_publish(*, plan: Plan, user: Any) -> PublishedVersion:
    """Freeze the agreed plan as the next numbered version, for the public to read."""
    plan = _locked_for_coordinator(plan, user, to="publish the plan")
    plan.require_stage({Plan.Status.AGREED}, "published")
    text, checksum = serialise(plan_snapshot(plan))
    number = (plan.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    now = timezone.now()
    version = PublishedVersion.objects.create(
        plan=plan,
        number=number,
        snapshot=text,
        checksum=checksum,
        published_at=now,
        published_by=user,
    )
    record_author(plan, user)
    plan.publish(at=now)
    notices.published(plan, version, by=user)
    # Its PDF and Word document are drawn once, by the task worker, after the commit.
    transaction.on_commit(functools.partial(queue_drawing, version.pk), robust=True)
    return version


@transaction.atomic
def plan_amend(*, plan: Plan, user: Any) -> Plan:
    """Open a new draft revision; the public keeps reading the last published version."""
    plan = _locked_for_coordinator(plan, user, to="amend the plan")
    record_author(plan, user)
    plan.amend()
    notices.amended(plan, by=user)
    return plan


def _next_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class NextYear:
    """What starting next year's plan did: the new draft, and what it took from the old plan."""

    plan: Plan
    copied: int  # unfinished actions copied
    left_behind: int  # completed, withdrawn, or reported complete
    dates_moved: int  # target dates moved a year on
    dates_cleared: int  # target dates that could not move into the new year

    @property
    def message(self) -> str:
        """What it did, in words, for the coordinator."""

        def count(number: int, thing: str) -> str:
            return f"{number} {thing}{'' if number == 1 else 's'}"

        text = (
            f"Next year's plan was started: {self.plan.title}. "
            f"{count(self.copied, 'unfinished action')} copied; "
            f"{count(self.left_behind, 'finished or withdrawn action')} left behind."
        )
        if self.dates_moved:
            text += f" {count(self.dates_moved, 'target date')} moved a year on."
        if self.dates_cleared:
            text += (
                f" {count(self.dates_cleared, 'target date')} cleared, as a year on would not "
                "fall in the new plan's period: set them in the new plan."
            )
        return text


def is_finished(action: Action) -> bool:
    """Completed, withdrawn, or reported complete (annotated by with_latest_update): what next
    year's plan leaves behind (and the annual review counts as done)."""
    return (
        action.status in (Action.Status.COMPLETED, Action.Status.WITHDRAWN)
        or getattr(action, "latest_rag", None) == ProgressUpdate.Rag.COMPLETE
    )


def next_target_date(target: datetime.date | None, *, old: Plan, new: Plan) -> datetime.date | None:
    """An action's target date in next year's plan. A date already in (or after the start of) the
    new plan's period is kept; a date in the old plan's period moves a year on when that lands in
    the new period; any other date (earlier ones) is cleared, for the coordinator to set again."""
    if target is None or target >= new.period_start:
        return target
    if old.period_start <= target <= old.period_end:
        moved = _next_year(target)
        if new.period_start <= moved <= new.period_end:
            return moved
    return None


@transaction.atomic
def plan_start_next_year(*, plan: Plan, user: Any) -> NextYear:
    """Copy a plan into a new draft for the following period, linked to the plan it came from:
    its priorities, and its unfinished actions (not completed, not withdrawn, not reported
    complete) with their outcomes and agencies and their target dates moved into the new year
    (next_target_date). The new plan's reporting calendar follows the old one's."""
    _require(user, "lifecycle.run_plan", plan, COORDINATOR_ONLY.format("start next year's plan"))
    new_plan = _next_years_plan(plan)
    new_plan.full_clean()
    record_author(new_plan, user)
    new_plan.save()
    copied = left_behind = moved = cleared = 0
    for priority in plan.priorities.order_by("order", "pk"):
        copy = Priority.objects.create(
            plan=new_plan,
            title=priority.title,
            description=priority.description,
            evidence=priority.evidence,
            order=priority.order,
        )
        actions = with_latest_update(priority.actions.all()).prefetch_related(
            "supporting_agencies", "outcomes"
        )
        for action in actions.order_by("order", "pk"):
            if is_finished(action):
                left_behind += 1
                continue
            target = next_target_date(action.target_date, old=plan, new=new_plan)
            moved += target is not None and target != action.target_date
            cleared += target is None and action.target_date is not None
            action.target_date = target
            _copy_action(action, priority=copy, user=user)
            copied += 1
    reporting_periods_copy(source=plan, plan=new_plan)
    return NextYear(new_plan, copied, left_behind, moved, cleared)


def _next_years_plan(plan: Plan) -> Plan:
    """The plan's texts for the following period (unsaved), its title's years moved on."""
    start, end = _next_year(plan.period_start), _next_year(plan.period_end)
    years = {str(plan.period_start.year): str(start.year), str(plan.period_end.year): str(end.year)}
    title = re.sub(r"\b(\d{4})\b", lambda m: years.get(m.group(1), m.group(1)), plan.title)
    return Plan(
        partnership=plan.partnership,
        title=title,
        period_start=start,
        period_end=end,
        deadline=_next_year(plan.deadline) if plan.deadline else None,
        introduction=plan.introduction,
        context=plan.context,
        aspirations=plan.aspirations,
        previous_plan=plan,
    )


def _copy_action(action: Action, *, priority: Priority, user: Any) -> Action:
    """A new proposed action in `priority`, with the action's agencies and outcomes; `action`
    (fetched with its agencies and outcomes) becomes the copy."""
    supporting = list(action.supporting_agencies.all())
    outcomes = list(action.outcomes.all())
    action.pk = None
    action._state.adding = True
    action.priority = priority
    action.version = 1
    action.status = Action.Status.PROPOSED
    action.created_by = action.updated_by = user
    action.save()
    # The prefetched agencies belong to the original; forget them, or set() would think the copy
    # already has them.
    action._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # Django's own cache
    action.supporting_agencies.set(supporting)
    for outcome in outcomes:  # one by one: each gets its history row
        Outcome.objects.create(
            action=action,
            description=outcome.description,
            measure=outcome.measure,
            baseline=outcome.baseline,
            target=outcome.target,
            order=outcome.order,
        )
    return action
