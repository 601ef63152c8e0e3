"""Writing a checked import: bulk inserts and updates, in the caller's transaction.

Every object the import creates or changes gets its django-simple-history record, as a save from
a form would, but written in bulk: the action's record carries its supporting agencies (the
history's many-to-many rows), so the action's history page shows what the import set. Outcomes
the file no longer lists are deleted one by one, each with its history record; that is rare.
"""

from __future__ import annotations

import datetime
import heapq
from collections import defaultdict
from typing import Any, TypeVar

from django.apps import apps
from django.db.models import F, Max, Model
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from actions.models import Action, Outcome
from partners.history import record_author
from partners.models import Agency, Partnership
from planfiles.planning import Context, NewThing, Planned
from planfiles.report import CREATE, UPDATE
from priorities.models import Plan, Priority, Theme

Through = Action.supporting_agencies.through
# The history of the action's supporting agencies, kept by django-simple-history.
HistoricalSupport = apps.get_model("actions", "HistoricalAction_supporting_agencies")
CHUNK = 500

M = TypeVar("M", bound=Model)


def write_import(context: Context, planned: list[Planned], *, user: Any) -> None:
    user = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    partnership = _partnership(context)
    _agencies(context, partnership)
    _themes(context, partnership, planned)
    plan = _plan(context, partnership, user)
    _priorities(context, plan, user, now)
    _priority_rows(planned)
    _new_actions(context, planned, user, now)
    _changed_actions(planned, user, now)


def unique_slug(name: str, taken: set[str], *, max_length: int, fallback: str) -> str:
    base = slugify(name)[: max_length - 6].strip("-") or fallback
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _partnership(context: Context) -> Partnership:
    if context.partnership is not None:
        return context.partnership
    partnership = context.new_partnership
    taken = set(Partnership.objects.values_list("slug", flat=True))
    partnership.slug = unique_slug(partnership.name, taken, max_length=80, fallback="partnership")
    partnership.save()
    return partnership


def _agencies(context: Context, partnership: Partnership) -> None:
    if context.new_agencies:
        taken = set(Agency.objects.values_list("slug", flat=True))
        for thing in context.new_agencies.values():
            slug = unique_slug(thing.name, taken, max_length=80, fallback="agency")
            thing.obj = Agency(name=thing.name, slug=slug, kind=Agency.Kind.OTHER)
        Agency.objects.bulk_create([thing.obj for thing in context.new_agencies.values()])
    joining = [thing.obj for thing in context.new_agencies.values()]
    joining += list(context.joining.values())
    if joining:
        partnership.core_agencies.add(*joining)


def theme_sequence(planned: list[Planned]) -> list[Theme | NewThing]:
    """The themes in an order that keeps every priority's themes in the file's order.

    An export lists each priority's actions theme by theme, in the themes' order; a topological
    sort of "comes before" within each priority gives an order that exports the same way again.
    Ties, and any contradiction in a hand-made file, fall back to first appearance.
    """
    first: dict[int, Theme | NewThing] = {}
    per_priority: dict[int, list[int]] = defaultdict(list)
    for item in planned:
        if item.theme is None:
            continue
        key = id(item.theme)
        first.setdefault(key, item.theme)
        sequence = per_priority[id(item.priority)]
        if not sequence or sequence[-1] != key:
            sequence.append(key)
    position = {key: index for index, key in enumerate(first)}
    after: dict[int, set[int]] = defaultdict(set)
    waiting = dict.fromkeys(first, 0)
    for sequence in per_priority.values():
        for earlier, later in zip(sequence, sequence[1:], strict=False):
            if earlier != later and later not in after[earlier]:
                after[earlier].add(later)
                waiting[later] += 1
    ready = [(position[key], key) for key, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, key = heapq.heappop(ready)
        ordered.append(key)
        for later in after[key]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, (position[later], later))
    ordered += [key for key in first if key not in set(ordered)]
    return [first[key] for key in ordered]


def _themes(context: Context, partnership: Partnership, planned: list[Planned]) -> None:
    if not context.new_themes:
        return
    top = max((theme.order for theme in context.themes.items), default=0)
    new = [thing for thing in theme_sequence(planned) if isinstance(thing, NewThing)]
    # Themes named only on rows that were not planned (none, once checks pass) go last.
    new += [thing for thing in context.new_themes.values() if thing not in new]
    for order, thing in enumerate(new, start=top + 1):
        thing.obj = Theme(partnership=partnership, name=thing.name, order=order)
    Theme.objects.bulk_create([thing.obj for thing in new])


def _plan(context: Context, partnership: Partnership, user: Any) -> Plan:
    if context.plan is not None:
        return context.plan
    plan = context.new_plan
    plan.partnership = partnership
    record_author(plan, user)
    plan.save()
    return plan


def _priorities(context: Context, plan: Plan, user: Any, now: datetime.datetime) -> None:
    if not context.new_priorities:
        return
    top = max((priority.order for priority in context.priorities.values()), default=0)
    things = list(context.new_priorities.values())
    for order, thing in enumerate(things, start=top + 1):
        thing.obj = Priority(plan=plan, title=thing.name, order=order)
    bulk_create_with_history(
        [thing.obj for thing in things], Priority, default_user=user, default_date=now
    )


def _priority_rows(planned: list[Planned]) -> None:
    """Rows that name a new priority only: the priority is what they created."""
    for item in planned:
        if not item.row.is_action and item.result.kind == CREATE:
            item.result.instance = item.priority.obj


def _cell_tops(planned: list[Planned]) -> dict[tuple[int | None, int | None], int]:
    """The highest action order in each cell (priority × theme) the import adds to."""
    priority_ids = {item.priority.pk for item in planned if item.priority.pk is not None}
    tops = (
        Action.objects.filter(priority_id__in=priority_ids)
        .values("priority_id", "theme_id")
        .annotate(top=Max("order"))
    )
    return {(row["priority_id"], row["theme_id"]): row["top"] or 0 for row in tops}


def _new_actions(
    context: Context, planned: list[Planned], user: Any, now: datetime.datetime
) -> None:
    items = [item for item in planned if item.row.is_action and item.result.kind == CREATE]
    if not items:
        return
    tops = _cell_tops(items)
    actions = []
    for item in items:
        cell = (item.priority.pk, item.theme.pk if item.theme is not None else None)
        tops[cell] = tops.get(cell, 0) + 1
        action = Action(
            priority_id=item.priority.pk,
            theme_id=cell[1],
            lead_agency_id=item.lead.pk if item.lead is not None else None,
            description=item.row.values["action"],
            target_date=item.row.target_date,
            timescale=item.row.timescale,
            order=tops[cell],
            created_by=user,
            updated_by=user,
        )
        item.result.instance = action
        actions.append(action)
    Action.objects.bulk_create(actions)
    through = [
        Through(action_id=item.result.instance.pk, agency_id=agency.pk)
        for item in items
        for agency in item.supporting
    ]
    Through.objects.bulk_create(through)
    supporting: dict[int, dict[int, int]] = defaultdict(dict)
    for row in through:
        supporting[row.action_id][row.agency_id] = row.pk
    _history(actions, supporting, user, now, update=False)
    outcomes = [
        Outcome(action_id=item.result.instance.pk, description=text, measure=measure, order=n)
        for item in items
        for n, (text, measure) in enumerate(item.row.outcomes, start=1)
    ]
    bulk_create_with_history(outcomes, Outcome, default_user=user, default_date=now)


def _history(
    actions: list[Action],
    supporting: dict[int, dict[int, int]],
    user: Any,
    now: datetime.datetime,
    *,
    update: bool,
) -> None:
    records = Action.history.bulk_history_create(
        actions, update=update, default_user=user, default_date=now
    )
    HistoricalSupport.objects.bulk_create(
        [
            HistoricalSupport(history=record, id=through_id, action_id=action.pk, agency_id=agency)
            for record, action in zip(records, actions, strict=True)
            for agency, through_id in supporting.get(action.pk, {}).items()
        ]
    )


def update_in_groups(model: type[M], objs: list[M], fields: list[str]) -> None:
    """Save these fields of these objects: one UPDATE … WHERE pk IN (…) per distinct value.

    Django's bulk_update builds a CASE expression per row and field, which costs seconds of
    Python for a few thousand rows; an import's changes share a handful of values (a new lead
    agency, a new target date), so grouping by value is a few quick queries.
    """
    attnames = [model._meta.get_field(name).attname for name in fields]
    groups: dict[tuple, list[int]] = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, attname) for attname in attnames)].append(obj.pk)
    for values, pks in groups.items():
        for start in range(0, len(pks), CHUNK):
            model.objects.filter(pk__in=pks[start : start + CHUNK]).update(
                **dict(zip(attnames, values, strict=True))
            )


def _load(model: type[M], pks: list[int]) -> dict[int, M]:
    found: dict[int, M] = {}
    for start in range(0, len(pks), CHUNK):
        found |= model.objects.in_bulk(pks[start : start + CHUNK])
    return found


def _changed_actions(planned: list[Planned], user: Any, now: datetime.datetime) -> None:
    items = [item for item in planned if item.result.kind == UPDATE]
    if not items:
        return
    actions = _load(Action, [item.existing.pk for item in items])
    supporting = {item.existing.pk: dict(item.existing.supporting) for item in items}
    gone, added = [], []
    for item in items:
        action = actions[item.existing.pk]
        action.lead_agency_id = item.lead.pk if item.lead is not None else None
        action.target_date = item.row.target_date
        # A date leaves the timescale note as it is; text that is no date replaces it.
        action.timescale = item.row.timescale or action.timescale
        action.version += 1
        action.updated_by = user
        action.updated_at = now
        item.result.instance = action
        if item.supporting_changed:
            current = supporting[action.pk]
            wanted = {agency.pk for agency in item.supporting}
            gone += [current.pop(agency) for agency in set(current) - wanted]
            added += [Through(action_id=action.pk, agency_id=pk) for pk in wanted - set(current)]
    changed = [actions[item.existing.pk] for item in items]
    update_in_groups(Action, changed, ["lead_agency", "target_date", "timescale"])
    for start in range(0, len(changed), CHUNK):
        Action.objects.filter(pk__in=[a.pk for a in changed[start : start + CHUNK]]).update(
            version=F("version") + 1, updated_by=user, updated_at=now
        )
    for start in range(0, len(gone), CHUNK):
        Through.objects.filter(pk__in=gone[start : start + CHUNK]).delete()
    for row in Through.objects.bulk_create(added):
        supporting[row.action_id][row.agency_id] = row.pk
    _history(changed, supporting, user, now, update=True)
    _changed_outcomes(items, user, now)


def _changed_outcomes(items: list[Planned], user: Any, now: datetime.datetime) -> None:
    changes = [
        (item.result.instance, item.outcome_changes) for item in items if item.outcome_changes
    ]
    new = [
        Outcome(action_id=action.pk, description=text, measure=measure, order=order)
        for action, change in changes
        for text, measure, order in change.create
    ]
    bulk_create_with_history(new, Outcome, default_user=user, default_date=now)
    updates = [entry for _, change in changes for entry in change.update]
    outcomes = _load(Outcome, [existing.pk for existing, _, _ in updates])
    for existing, measure, order in updates:
        outcomes[existing.pk].measure = measure
        outcomes[existing.pk].order = order
    if outcomes:
        update_in_groups(Outcome, list(outcomes.values()), ["measure", "order"])
        Outcome.history.bulk_history_create(
            list(outcomes.values()), update=True, default_user=user, default_date=now
        )
    gone = _load(Outcome, [existing.pk for _, change in changes for existing in change.delete])
    for outcome in gone.values():
        record_author(outcome, user)
        outcome.delete()
