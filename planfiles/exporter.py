"""Exporting a plan as the canonical plan file: one row per action, in the plan's order.

The order is the one an import gives back: priorities in their order, each priority's actions
theme by theme (themes in their order, actions without a theme last), then in their order in the
cell. A priority with no actions yet gets a row of its own with the action columns blank, so
that it survives the round trip.
"""

from __future__ import annotations

from collections import defaultdict

from actions.models import Action, Outcome
from lifecycle.models import PublishedVersion
from lifecycle.snapshot import ActionData, Snapshot, public_view
from planfiles.format import CONTENT_TYPES, clean_text, normalise_newlines, one_line, write
from priorities.models import Plan


class PlanExportError(ValueError):
    """The plan holds something the plan file cannot carry; the message says what."""


FileRow = tuple[str, ...]  # a row of the plan file: twelve strings, in the header's order
NO_ACTION = ("",) * 7  # the action columns of a priority with no actions


def _head(partnership: str, title: str, start: str, end: str) -> FileRow:
    """The columns every row repeats: the partnership, the plan's title and its period."""
    return (clean_text(partnership), clean_text(title), start, end)


def _priority_rows(head: FileRow, title: str, actions: list[FileRow]) -> list[FileRow]:
    """A priority's rows: one per action (its seven columns), or one without an action."""
    return [(*head, clean_text(title), *cells) for cells in actions or [NO_ACTION]]


def plan_export_rows(plan: Plan) -> list[FileRow]:
    """The plan as rows of twelve strings, in the header's order. Five queries."""
    start, end = plan.period_start.isoformat(), plan.period_end.isoformat()
    head = _head(plan.partnership.name, plan.title, start, end)
    actions: dict[int, list[Action]] = defaultdict(list)
    queryset = Action.objects.filter(priority__plan=plan).select_related("theme", "lead_agency")
    for action in queryset.order_by():
        actions[action.priority_id].append(action)
    supporting = _supporting(plan)
    outcomes = _outcomes(plan)
    rows = []
    for priority in plan.priorities.order_by("order", "pk"):
        cells = [
            _action_cells(action, supporting.get(action.pk, []), outcomes.get(action.pk, ([], [])))
            for action in sorted(actions.get(priority.pk, []), key=_action_order)
        ]
        rows += _priority_rows(head, priority.title, cells)
    return rows


def _action_cells(
    action: Action, supporting: list[str], outcomes: tuple[list[str], list[str]]
) -> FileRow:
    descriptions, measures = outcomes
    return (
        clean_text(action.theme.name) if action.theme else "",
        clean_text(action.description),
        "\n".join(descriptions),
        clean_text(action.lead_agency.name) if action.lead_agency else "",
        "; ".join(supporting),
        # No date: the timescale note ("Ongoing"), which an import keeps as the note again.
        action.target_date.isoformat() if action.target_date else clean_text(action.timescale),
        "\n".join(measures).rstrip("\n"),
    )


def _action_order(action: Action) -> tuple[bool, int, int, int, int]:
    theme = action.theme
    return (
        theme is None,
        theme.order if theme else 0,
        theme.pk if theme else 0,
        action.order,
        action.pk,
    )


def _supporting(plan: Plan) -> dict[int, list[str]]:
    through = Action.supporting_agencies.through.objects.filter(action__priority__plan=plan)
    names: dict[int, list[str]] = defaultdict(list)
    for action_id, name in through.values_list("action_id", "agency__name"):
        if ";" in name:
            raise PlanExportError(
                f"The agency “{name}” has a semicolon in its name, which the plan file uses to "
                "separate supporting agencies. Rename the agency in the admin, then export again."
            )
        names[action_id].append(clean_text(name))
    for agencies in names.values():
        agencies.sort(key=str.casefold)
    return names


def _outcomes(plan: Plan) -> dict[int, tuple[list[str], list[str]]]:
    """Each action's outcomes and measures, one line each (inner line breaks become spaces)."""
    result: dict[int, tuple[list[str], list[str]]] = {}
    rows = (
        Outcome.objects.filter(action__priority__plan=plan)
        .order_by("action_id", "order", "pk")
        .values_list("action_id", "description", "measure")
    )
    for action_id, description, measure in rows:
        text = one_line(description)
        if not text and not one_line(measure):
            continue  # an empty outcome says nothing, and would not import
        descriptions, measures = result.setdefault(action_id, ([], []))
        descriptions.append(text)
        measures.append(one_line(measure))
    return result


def _check_xlsx(rows: list[FileRow]) -> None:
    # Imported here: openpyxl is only needed for XLSX files.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for row in rows:
        for value in row:
            if ILLEGAL_CHARACTERS_RE.search(value):
                raise PlanExportError(
                    f"“{normalise_newlines(value)[:60]}” contains a control character that an "
                    "Excel workbook cannot hold. Export the plan as CSV or JSON, or remove the "
                    "character."
                )


def plan_filename(plan: Plan, fmt: str) -> str:
    return f"{plan.partnership.slug}-{plan.period}-plan.{fmt}"


def plan_export(plan: Plan, fmt: str) -> tuple[bytes, str, str]:
    """The plan file's bytes, its content type and a file name, e.g. lichfield-2021-22-plan.csv.
    "docx" gives the plan as a Word document laid out as the seed is (planfiles/word_export.py)."""
    rows = plan_export_rows(plan)
    if fmt == "docx":
        # Imported here: python-docx is only needed for Word documents.
        from planfiles.word_export import about_plan, write_docx

        return write_docx(rows, about_plan(plan)), CONTENT_TYPES[fmt], plan_filename(plan, fmt)
    if fmt == "xlsx":
        _check_xlsx(rows)
    data = write(rows, fmt, title=f"Plan {plan.period}")
    return data, CONTENT_TYPES[fmt], plan_filename(plan, fmt)


# -- Published versions: the same file, from the frozen copy.


def version_export_rows(data: Snapshot) -> list[FileRow]:
    """A published version (a snapshot, see lifecycle/snapshot.py) as the plan file's rows, in
    the same order as a live export."""
    plan = data["plan"]
    head = _head(
        data["partnership"]["name"], plan["title"], plan["period_start"], plan["period_end"]
    )
    themes = data["themes"]
    theme_order: dict[int | None, int] = {theme["id"]: i for i, theme in enumerate(themes)}
    theme_names: dict[int | None, str] = {
        theme["id"]: clean_text(theme["name"]) for theme in themes
    }
    by_priority: dict[int, list[tuple[int, ActionData]]] = defaultdict(list)
    for index, action in enumerate(data["actions"]):
        by_priority[action["priority"]].append((index, action))
    rows = []
    for priority in data["priorities"]:
        # Theme by theme (actions without a theme last), then in the snapshot's order.
        ordered = sorted(
            by_priority.get(priority["id"], []),
            key=lambda item: (
                item[1]["theme"] not in theme_order,
                theme_order.get(item[1]["theme"], 0),
                item[0],
            ),
        )
        cells = [
            _frozen_action_cells(action, theme_names.get(action["theme"], ""))
            for _, action in ordered
        ]
        rows += _priority_rows(head, priority["title"], cells)
    return rows


def _frozen_action_cells(action: ActionData, theme: str) -> FileRow:
    outcomes = [
        o for o in action["outcomes"] if one_line(o["description"]) or one_line(o["measure"])
    ]
    supporting = sorted(map(clean_text, action["supporting_agencies"]), key=str.casefold)
    return (
        theme,
        clean_text(action["description"]),
        "\n".join(one_line(o["description"]) for o in outcomes),
        clean_text(action["lead_agency"] or ""),
        "; ".join(supporting),
        action["target_date"] or "",
        "\n".join(one_line(o["measure"]) for o in outcomes).rstrip("\n"),
    )


def version_export(data: Snapshot, fmt: str, *, filename: str) -> tuple[bytes, str, str]:
    rows = version_export_rows(data)
    if fmt == "docx":
        from planfiles.word_export import about_version, write_docx

        return write_docx(rows, about_version(data)), CONTENT_TYPES[fmt], filename
    if fmt == "xlsx":
        _check_xlsx(rows)
    return write(rows, fmt, title=f"Plan {data['plan']['period']}"), CONTENT_TYPES[fmt], filename


def version_docx(plan: Plan, version: PublishedVersion) -> bytes:
    """A published version as the public reads it, as a Word document: drawn once, when the
    version is published (lifecycle/published_files.py)."""
    return version_export(public_view(version.data), "docx", filename="")[0]


def version_docx_filename(plan: Plan, version: PublishedVersion) -> str:
    return f"{plan.partnership.slug}-{plan.period}-v{version.number}-plan.docx"
