"""Pass 2 of a plan file's import, second part: what happens to each row.

Row by row, what the import will create, change or leave alone: a row matches one of the plan's
actions by its priority, theme and text (`load_existing`, three queries), and what differs is
said in words (`RowPlan.changes`) and kept for the writer (`Planned`, `OutcomeChanges`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from actions.models import Action, Outcome
from partners.models import Agency
from partners.names import fold_name
from planfiles.format import clean_text, one_line
from planfiles.matching import cell_agency_names, everyone, resolve_agency, resolve_theme
from planfiles.planning import (
    ActionKey,
    Context,
    ExistingAction,
    ExistingOutcome,
    NewThing,
    OutcomeChanges,
    Planned,
    Row,
)
from planfiles.report import CREATE, UNCHANGED, UPDATE, RowError, RowPlan
from priorities.models import Plan, Priority, Theme

# A row is known by its priority's title, its theme and its action's text: each once a file.
RowKey = tuple[str, tuple[str, object] | None, str | None]


def load_existing(plan: Plan) -> dict[ActionKey, ExistingAction]:
    """The plan's actions keyed by (priority, theme, text), in three queries."""
    actions = {
        values["pk"]: ExistingAction(**values)
        for values in Action.objects.filter(priority__plan=plan)
        .order_by("order", "pk")
        .values(
            "pk",
            "priority_id",
            "theme_id",
            "description",
            "lead_agency_id",
            "target_date",
            "timescale",
            "order",
            "version",
        )
    }
    through = Action.supporting_agencies.through.objects.filter(action__priority__plan=plan)
    for pk, action_id, agency_id in through.values_list("pk", "action_id", "agency_id"):
        actions[action_id].supporting[agency_id] = pk
    outcomes = Outcome.objects.filter(action__priority__plan=plan).order_by("order", "pk")
    rows = outcomes.values_list("pk", "action_id", "description", "measure", "order")
    for pk, action_id, description, measure, order in rows:
        actions[action_id].outcomes.append(ExistingOutcome(pk, description, measure, order))
    keyed: dict[ActionKey, ExistingAction] = {}
    for action in actions.values():
        key = (action.priority_id, action.theme_id, clean_text(action.description))
        keyed.setdefault(key, action)  # two identical actions: the first is the one matched
    return keyed


def plan_rows(
    rows: list[Row],
    context: Context,
    errors: list[RowError],
    notices: list[RowError] | None = None,
    *,
    exact_names: bool = True,
) -> list[Planned]:
    """What each row does. `exact_names`: the file's agency names are as the product wrote them
    (planfiles/matching.py, `cell_agency_names`)."""
    if context.plan is not None:
        context.existing = load_existing(context.plan)
    notices = [] if notices is None else notices
    planned: list[Planned] = []
    seen: dict[RowKey, int] = {}
    for row in rows:
        title = row.values["priority"]
        if not title:
            continue
        priority = context.priorities.get(title) or context.new_priorities.setdefault(
            title, NewThing(title, row.number)
        )
        if not row.is_action:
            kind = CREATE if isinstance(priority, NewThing) else UNCHANGED
            result = RowPlan(row.number, kind, title, "", "")
            if _duplicate(seen, (title, None, None), row, errors):
                continue
            planned.append(Planned(row, result, priority))
            continue
        item = _plan_action(row, priority, context, errors, seen, notices, exact_names)
        if item is not None:
            planned.append(item)
    _compare_all(planned, context, errors)
    return planned


def _duplicate(seen: dict[RowKey, int], key: RowKey, row: Row, errors: list[RowError]) -> bool:
    if key in seen:
        errors.append(
            RowError(
                row.number,
                "action" if key[2] else "priority",
                f"This row repeats row {seen[key]}: the same priority, theme and action. Each "
                "action may appear once in a plan file; remove one of the two rows.",
            )
        )
        return True
    seen[key] = row.number
    return False


def _key_of(thing: Theme | NewThing) -> tuple[str, object]:
    return ("new", fold_name(thing.name)) if isinstance(thing, NewThing) else ("pk", thing.pk)


def _plan_action(
    row: Row,
    priority: Priority | NewThing,
    context: Context,
    errors: list[RowError],
    seen: dict[RowKey, int],
    notices: list[RowError],
    exact_names: bool,
) -> Planned | None:
    values = row.values
    before = len(errors)
    theme = resolve_theme(values["theme"], row, context, errors) if values["theme"] else None
    agencies = _Agencies(row, context, errors, notices, exact_names)
    lead, also = agencies.lead(values["lead_agency"])
    supporting = agencies.supporting(row.supporting, lead)
    for agency in also:
        if agency is not lead and all(agency is not other for other in supporting):
            supporting.insert(also.index(agency), agency)
    theme_key = _key_of(theme) if theme is not None else ("name", fold_name(values["theme"]))
    if _duplicate(seen, (values["priority"], theme_key, values["action"]), row, errors):
        return None
    if len(errors) > before:
        return None
    theme_name = theme.name if theme is not None else ""
    item = Planned(
        row,
        RowPlan(row.number, CREATE, values["priority"], theme_name, values["action"]),
        priority,
        theme,
        lead,
        supporting,
    )
    item.everyone = agencies.everyone
    if not isinstance(priority, NewThing) and not isinstance(theme, NewThing):
        theme_id = theme.pk if theme is not None else None
        item.existing = context.existing.get((priority.pk, theme_id, values["action"]))
    return item


class _Agencies:
    """A row's lead and supporting cells, as real plans write them: several agencies in the lead
    cell (the first leads, the others support), or the whole partnership ("All")."""

    def __init__(
        self,
        row: Row,
        context: Context,
        errors: list[RowError],
        notices: list[RowError],
        exact: bool,
    ) -> None:
        self.row, self.context, self.errors, self.notices = row, context, errors, notices
        self.exact = exact
        self.everyone = False

    def _resolve(self, name: str, column: str) -> Agency | NewThing | None:
        return resolve_agency(name, self.row, column, self.context, self.errors)

    def _notice(self, column: str, message: str) -> None:
        self.notices.append(RowError(self.row.number, column, message))

    def lead(self, text: str) -> tuple[Agency | NewThing | None, list[Agency | NewThing]]:
        if not text:
            return None, []
        names = cell_agency_names(text, self.context, exact=self.exact)
        if names is None:
            self.everyone = True
            self._notice(
                "lead_agency",
                f"“{text}” names no one agency to lead: the lead is left blank (a gap the draft "
                "shows) and every core agency of the partnership supports the action.",
            )
            return None, []
        found = [self._resolve(name, "lead_agency") for name in names]
        lead, also = found[0], [agency for agency in found[1:] if agency is not None]
        if len(names) > 1 and lead is not None:
            others = ", ".join(agency.name for agency in also) or "none"
            self._notice(
                "lead_agency",
                f"“{text}” names several agencies: {lead.name} leads the action, and {others} "
                f"support{'s' if len(also) == 1 else ''} it.",
            )
        return lead, also

    def supporting(
        self, names: list[str], lead: Agency | NewThing | None
    ) -> list[Agency | NewThing]:
        found: list[Agency | NewThing] = []
        for name in names:
            parts = cell_agency_names(name, self.context, exact=self.exact)
            if parts is None:
                self.everyone = True
                self._notice(
                    "supporting_agencies",
                    f"“{name}”: every core agency of the partnership supports the action.",
                )
                continue
            for part in parts:
                agency = self._resolve(part, "supporting_agencies")
                if agency is not None and all(agency is not other for other in found):
                    found.append(agency)
        if lead is not None and any(agency is lead for agency in found):
            self.errors.append(
                RowError(
                    self.row.number,
                    "supporting_agencies",
                    f"{lead.name} leads this action, so it cannot also support it.",
                )
            )
        return found


def _compare_all(planned: list[Planned], context: Context, errors: list[RowError]) -> None:
    """Once every row is planned: "every core agency" is known, so actions can be compared."""
    partners = None
    for item in planned:
        if not item.row.is_action:
            continue
        if item.everyone:
            partners = everyone(context) if partners is None else partners
            item.supporting += [
                agency
                for agency in partners
                if agency is not item.lead and all(agency is not other for other in item.supporting)
            ]
        if item.existing is not None:
            _compare(item, item.existing, context)
        _check_lead_active(item, errors)


def _check_lead_active(item: Planned, errors: list[RowError]) -> None:
    lead = item.lead
    if not isinstance(lead, Agency) or lead.active:
        return
    if item.existing is not None and item.existing.lead_agency_id == lead.pk:
        return
    errors.append(
        RowError(
            item.row.number,
            "lead_agency",
            f"{lead.name} is inactive, so it cannot lead a new action. Choose an active agency, "
            "or make the agency active again in the admin.",
        )
    )


def _agency_names(ids: Iterable[int | None], context: Context) -> str:
    known = context.agencies.by_pk
    names = sorted(known[pk].name for pk in ids if pk in known)
    return ", ".join(names) if names else "none"


def _compare(item: Planned, existing: ExistingAction, context: Context) -> None:
    """What differs between the row and the action it matches, in words."""
    row, changes = item.row, item.result.changes
    lead_id = item.lead.pk if item.lead is not None else None
    if (item.lead is not None and lead_id is None) or existing.lead_agency_id != lead_id:
        old = _agency_names([existing.lead_agency_id], context)
        changes.append(f"Lead agency: {old} → {item.lead.name if item.lead else 'none'}")
    wanted = {agency.pk for agency in item.supporting}
    if None in wanted or wanted != set(existing.supporting):
        item.supporting_changed = True
        new = ", ".join(sorted(agency.name for agency in item.supporting)) or "none"
        changes.append(
            f"Supporting agencies: {_agency_names(existing.supporting, context)} → {new}"
        )
    if existing.target_date != row.target_date:
        changes.append(
            f"Target date: {existing.target_date or 'none'} → {row.target_date or 'none'}"
        )
    if row.timescale and existing.timescale != row.timescale:
        changes.append(f"Timescale: {existing.timescale or 'none'} → {row.timescale}")
    current = [(one_line(o.description), one_line(o.measure)) for o in existing.outcomes]
    if current != row.outcomes:
        item.outcome_changes = outcome_changes(existing.outcomes, row.outcomes, changes)
    item.result.kind = UPDATE if changes else UNCHANGED


def outcome_changes(
    existing: list[ExistingOutcome], wanted: list[tuple[str, str]], changes: list[str]
) -> OutcomeChanges:
    """Keep the outcomes the file still lists (with their baselines and targets), by text."""
    pool: dict[str, list[ExistingOutcome]] = defaultdict(list)
    for outcome in existing:
        pool[one_line(outcome.description)].append(outcome)
    result = OutcomeChanges()
    reordered = False
    for order, (description, measure) in enumerate(wanted, start=1):
        if pool.get(description):
            outcome = pool[description].pop(0)
            if one_line(outcome.measure) != measure:
                changes.append(
                    f"Measure of “{description}”: “{one_line(outcome.measure)}” → “{measure}”"
                )
                result.update.append((outcome, measure, order))
            elif outcome.order != order:
                reordered = True
                result.update.append((outcome, outcome.measure, order))
        else:
            changes.append(f"Outcome added: “{description}”")
            result.create.append((description, measure, order))
    for outcomes in pool.values():
        for outcome in outcomes:
            changes.append(f"Outcome removed: “{one_line(outcome.description)}”")
            result.delete.append(outcome)
    if reordered and not changes:
        changes.append("Outcomes put in the file's order")
    return result
