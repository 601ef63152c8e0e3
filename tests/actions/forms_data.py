"""POST data for the action form and its outcome formset, as a browser would send it."""

from actions.models import Action


def action_post_data(action: Action, **changes) -> dict:
    """The edit form as shown for `action`, with `changes` applied.

    `outcomes` may be given as a list of dicts (id, description, measure, baseline, target,
    DELETE); by default the action's current outcomes plus one empty form.
    """
    outcomes = changes.pop("outcomes", None)
    if outcomes is None:
        outcomes = [
            {"id": o.pk, "description": o.description, "measure": o.measure}
            for o in action.outcomes.all()
        ]
    data = {
        "priority": action.priority_id,
        "theme": action.theme_id or "",
        "description": action.description,
        "lead_agency": action.lead_agency_id or "",
        "supporting_agencies": [a.pk for a in action.supporting_agencies.all()],
        "target_date": action.target_date.isoformat() if action.target_date else "",
        "status": action.status,
        "version": action.version,
    }
    data.update(changes)
    forms = [*outcomes, {}]  # the empty form for a new outcome
    data.update(
        {
            "outcomes-TOTAL_FORMS": str(len(forms)),
            "outcomes-INITIAL_FORMS": str(sum(1 for o in outcomes if o.get("id"))),
            "outcomes-MIN_NUM_FORMS": "0",
            "outcomes-MAX_NUM_FORMS": "1000",
        }
    )
    for number, outcome in enumerate(forms):
        for key in ("id", "description", "measure", "baseline", "target"):
            data[f"outcomes-{number}-{key}"] = outcome.get(key, "")
        if outcome.get("DELETE"):
            data[f"outcomes-{number}-DELETE"] = "on"
    return data
