"""Pass 2 of a plan file's import, first part: the plan, and the names the rows use.

The partnership and the plan the file names (or the plan it is imported into), then the
agencies, themes and priorities, looked up in a handful of queries. Agencies (by their names,
short names and other names) and themes are found as every file finds them (partners/names.py,
partners/aliases.py); a name we do not know is refused,
or, with "create missing", becomes a `NewThing` for the writer to create.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Sequence

from partners.aliases import agency_names
from partners.models import Agency, Partnership
from partners.names import Named, Names, fold_name
from planfiles.dates import period_dates
from planfiles.planning import Context, NewThing, Row
from planfiles.report import ImportReport, RowError, UnknownNames
from planfiles.rows import MAX_LENGTHS, PlanGiven, too_long
from priorities.models import Plan, Theme, period_label


def resolve_plan(
    reference: Row | None, context: Context, into: Plan | None, errors: list[RowError]
) -> None:
    if into is not None:
        context.partnership, context.plan = into.partnership, into
        if reference is not None:
            _check_into(reference, into, errors)
        return
    if reference is None:
        context.partnership_unknown = True  # the blank plan columns are reported already
        return
    name = reference.values["partnership"]
    match = next(
        (p for p in Partnership.objects.order_by("pk") if fold_name(p.name) == fold_name(name)),
        None,
    )
    if match is not None:
        context.partnership = match
    elif context.create_missing:
        context.new_partnership = Partnership(name=name)
    else:
        context.partnership_unknown = True
        context.unknown["partnership"][name] = None
        errors.append(
            RowError(
                reference.number,
                "partnership",
                f"No partnership is called “{name}” (every row names it). Check the spelling, "
                "or use the “create missing” option to create it.",
            )
        )
        return
    if reference.start and reference.end and reference.end > reference.start:
        _resolve_period(reference, reference.start, reference.end, context, errors)


def _check_into(reference: Row, into: Plan, errors: list[RowError]) -> None:
    name = reference.values["partnership"]
    if fold_name(name) != fold_name(into.partnership.name):
        errors.append(
            RowError(
                reference.number,
                "partnership",
                f"This file is for “{name}”, but you are importing into a plan of "
                f"{into.partnership.name}. Correct the partnership column, or import the file "
                "into that partnership's plan.",
            )
        )
    elif (
        reference.start
        and reference.end
        and (reference.start, reference.end) != (into.period_start, into.period_end)
    ):
        errors.append(
            RowError(
                reference.number,
                "plan_start",
                f"This file's plan runs from {reference.start} to {reference.end}, but this "
                f"is the plan for {into.period}, which runs from {into.period_start} to "
                f"{into.period_end}. Change plan_start and plan_end on every row to match, "
                "or import the file into the plan it names.",
            )
        )


def find_plan(partnership: Partnership, start: datetime.date, end: datetime.date) -> Plan | None:
    """The partnership's plan for exactly this period: the draft one if there are several."""
    plans = list(
        Plan.objects.filter(partnership=partnership, period_start=start, period_end=end).order_by(
            "-pk"
        )
    )
    drafts = [plan for plan in plans if plan.is_draft]
    return (drafts or plans or [None])[0]


def _resolve_period(
    reference: Row,
    start: datetime.date,
    end: datetime.date,
    context: Context,
    errors: list[RowError],
) -> None:
    if context.partnership is not None:
        context.plan = find_plan(context.partnership, start, end)
        if context.plan is not None:
            # Imports into one plan wait for each other.
            Plan.objects.select_for_update().filter(pk=context.plan.pk).exists()
            return
        label = period_label(start, end)
        clash = Plan.objects.filter(partnership=context.partnership).for_period(label).first()
        if clash is not None:
            errors.append(
                RowError(
                    reference.number,
                    "plan_start",
                    f"{context.partnership} already has a plan for {label}, running from "
                    f"{clash.period_start} to {clash.period_end}; this file's plan runs from "
                    f"{start} to {end}. Change plan_start and plan_end to match it.",
                )
            )
            return
    if not reference.values["plan_title"]:
        errors.append(
            RowError(
                None,
                "plan_title",
                "The file does not give the plan's title, and the partnership has no plan for "
                f"{period_label(start, end)} yet. Give it: import_plan --title TITLE.",
            )
        )
        return
    context.new_plan = Plan(
        partnership=context.partnership or context.new_partnership,
        title=reference.values["plan_title"],
        period_start=start,
        period_end=end,
        status=Plan.Status.DRAFT,
        **{name: context.about[name] for name in ABOUT_FIELDS if context.about.get(name)},
    )


ABOUT_FIELDS = ("introduction", "context", "aspirations")


def given_period(given: PlanGiven) -> PlanGiven:
    """The given period's dates: those of the partnership's plan for that period if it has one
    (found by name), else 1 April to 31 March (planfiles/dates.py, `period_dates`)."""
    dates = period_dates(given.period)
    if dates is None:
        return given
    start, end = dates
    name = fold_name(given.partnership)
    if name:
        for partnership in Partnership.objects.order_by("pk"):
            if fold_name(partnership.name) == name:
                plan = (
                    Plan.objects.filter(partnership=partnership)
                    .for_period(given.period)
                    .order_by("-pk")
                    .first()
                )
                if plan is not None:
                    start, end = plan.period_start, plan.period_end
                break
    return dataclasses.replace(given, start=start, end=end)


def check_plan(
    reference: Row | None,
    context: Context,
    report: ImportReport,
    allowed: Callable[[Plan], bool] | None,
) -> None:
    """The plan can take the import, and the person may import into it."""
    plan = context.target
    if plan is None or reference is None:
        return
    report.partnership_name = plan.partnership.name
    report.plan_name = f"{plan.partnership.name} {plan.period}: {plan.title}"
    report.partnership_created = context.new_partnership is not None
    report.plan_created = context.new_plan is not None
    if context.plan is not None and not plan.is_draft:
        report.errors.append(
            RowError(
                None,
                None,
                f"The plan {plan.partnership} {plan.period} is "
                f"{plan.get_status_display().lower()}: only a draft plan can take an import.",
            )
        )
    title = reference.values["plan_title"]
    if context.plan is not None and title and plan.title != title:
        report.warnings.append(
            f"The file calls the plan “{reference.values['plan_title']}”; it keeps its title "
            f"“{plan.title}”."
        )
    if allowed is not None and not allowed(plan):
        report.errors.append(
            RowError(None, None, f"You may not import into the plans of {plan.partnership}.")
        )


def load_names(context: Context) -> None:
    partnership = context.partnership
    core_ids: set[int] = set()
    themes: list[Theme] = []
    if partnership is not None:
        core_ids = set(partnership.core_agencies.values_list("pk", flat=True))
        themes = list(partnership.themes.order_by("order", "pk"))
    context.agencies = agency_names(core_ids)
    context.themes = Names(themes)
    if context.plan is not None:
        context.priorities = {p.title: p for p in context.plan.priorities.order_by("order", "pk")}


def _ambiguous(name: str, could_be: Sequence[Named]) -> str:
    names = " or ".join(f"“{item.name}”" for item in could_be)
    return f"“{name}” could be {names}: use the full name."


def resolve_agency(
    name: str, row: Row, column: str, context: Context, errors: list[RowError]
) -> Agency | NewThing | None:
    """An Agency, a NewThing to create, or None (with an error recorded)."""
    found = context.agencies.find(name)
    agency = found.item
    if found.could_be:
        errors.append(RowError(row.number, column, _ambiguous(name, found.could_be)))
        return None
    if agency is None:
        if context.create_missing or fold_name(name) in context.create_agencies:
            return context.new_agencies.setdefault(fold_name(name), NewThing(name, row.number))
        context.unknown["agency"].setdefault(name, None)
        errors.append(
            RowError(
                row.number,
                column,
                f"No agency is called “{name}” (by name, short name or other name).",
                unknown_agency=name,
            )
        )
        return None
    if context.partnership is None or agency.pk in context.agencies.core_ids:
        if context.partnership is None:
            context.joining[agency.pk] = agency  # a new partnership: its agencies join it
        return agency
    if context.create_missing:
        context.joining[agency.pk] = agency
        return agency
    errors.append(
        RowError(
            row.number,
            column,
            f"{agency.name} is not a member of {context.partnership.name}. Add it to the "
            "partnership's core agencies, or use the “create missing” option.",
        )
    )
    return None


def resolve_theme(
    name: str, row: Row, context: Context, errors: list[RowError]
) -> Theme | NewThing | None:
    """A Theme, a NewThing to create, or None (with an error recorded, or none to make)."""
    if context.partnership_unknown:
        return None  # the partnership's error says it all
    found = context.themes.find(name)
    if found.could_be:
        errors.append(RowError(row.number, "theme", _ambiguous(name, found.could_be)))
        return None
    if found.item is not None:
        return found.item
    if context.create_missing:
        if len(name) > MAX_LENGTHS["theme"]:
            errors.append(RowError(row.number, "theme", too_long(len(name), 120)))
            return None
        return context.new_themes.setdefault(fold_name(name), NewThing(name, row.number))
    context.unknown["theme"].setdefault(name, None)
    errors.append(
        RowError(
            row.number,
            "theme",
            f"No theme of the partnership is called “{name}” (by name or short name).",
        )
    )
    return None


def unknown_summaries(context: Context) -> list[UnknownNames]:
    summaries = []
    for kind in ("partnership", "agency", "theme"):
        names = sorted(context.unknown[kind], key=str.casefold)
        if not names:
            continue
        if kind == "partnership":
            known = list(Partnership.objects.order_by("name").values_list("name", flat=True))
        else:
            known = (context.agencies if kind == "agency" else context.themes).known()
        summaries.append(UnknownNames(kind, names, known))
    return summaries


# -- Agency cells as real plans write them.

# A lead or supporting cell naming no one agency but the whole partnership.
EVERYONE = (
    "all",
    "all partners",
    "all agencies",
    "all csp partners",
    "all csp agencies",
    "csp",
    "the csp",
)
# Between agencies named in one cell: "Police / Council", "Kent Police, MBC".
_SEPARATORS = re.compile(r"\s*(?:/|,|;|\n)\s*")
_NOT_WORD = re.compile(r"[\W_]+")


def names_everyone(text: str) -> bool:
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split()) in EVERYONE


def cell_agency_names(text: str, context: Context, *, exact: bool) -> list[str] | None:
    """The agencies a lead or supporting cell names, in order; None for everyone ("All").

    The whole text is looked up first: an agency may have "/" or "," in its name. Otherwise the
    text is split at "/", ",", ";" and line breaks. In a file the product wrote (`exact`), names
    are as written, so the text is split only if every part is a known agency.
    """
    found = context.agencies.find(text)
    if found.item is not None or found.could_be:
        return [text]
    if names_everyone(text):
        return None
    parts = [part for part in _SEPARATORS.split(text.strip()) if part]
    if len(parts) < 2:
        return [text]
    if exact and not all(context.agencies.find(part).item is not None for part in parts):
        return [text]
    return parts


def everyone(context: Context) -> list[Agency | NewThing]:
    """Every core agency of the partnership once the import is written: its active core
    agencies, those joining it and those created."""
    core: list[Agency | NewThing] = [
        agency
        for agency in context.agencies.items
        if agency.pk in context.agencies.core_ids and agency.active
    ]
    core += [
        agency for agency in context.joining.values() if agency.pk not in context.agencies.core_ids
    ]
    core += list(context.new_agencies.values())
    return core
