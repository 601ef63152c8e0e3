"""What the layout tests share: importing a document into the conftest plan, and the plan as it
then is, action by action, in plain values to compare with what the document says."""

from __future__ import annotations

from actions.models import Action
from planfiles.format import kind_for_filename, read_plan_file
from planfiles.importer import plan_import


def import_into(plan, data: bytes, filename: str, **options):
    """Import the document into the plan, as the plan's import page does."""
    table = read_plan_file(
        data,
        kind=kind_for_filename(filename),
        filename=filename,
        columns=options.pop("columns", None),
    )
    return plan_import(table=table, into=plan, **options)


def imported(report) -> None:
    assert report.ok, [str(error) for error in report.errors]


def actions_of(plan) -> dict[str, dict]:
    """Every action of the plan, by its text: where it is, its outcomes and its agencies."""
    found = {}
    actions = (
        Action.objects.filter(priority__plan=plan)
        .select_related("priority", "theme", "lead_agency")
        .prefetch_related("supporting_agencies", "outcomes")
    )
    for action in actions:
        found[action.description] = {
            "priority": action.priority.title,
            "theme": action.theme.name if action.theme else "",
            "outcomes": [
                (outcome.description, outcome.measure)
                for outcome in sorted(action.outcomes.all(), key=lambda o: (o.order, o.pk))
            ],
            "lead": action.lead_agency.name if action.lead_agency else "",
            "supporting": sorted(agency.name for agency in action.supporting_agencies.all()),
            "target_date": action.target_date,
            "timescale": action.timescale,
        }
    return found
