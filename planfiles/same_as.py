"""The import preview's choice for each agency name the file uses that we do not know: a new
agency, created when the import is confirmed, or the same as an agency of the partnership.

"Same as" is for good: the name becomes another name of that agency (partners/aliases.py,
`agency_alias_add`), so this file and every later file and form find the agency by it. "Create"
is the importer's (`plan_import(create_agencies=…)`), and is written only if the import is
confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from partners.aliases import agency_alias_add
from partners.models import Agency, AgencyAlias
from partners.permissions import Refused, can, refusal
from priorities.models import Plan

# The choice to create a new agency by the name the file uses.
CREATE = "create"


def same_as_choices(plan: Plan) -> QuerySet[Agency]:
    """The agencies a name of the plan's file may be the same as: the partnership's active core
    agencies, by name (an inactive agency cannot take actions)."""
    return plan.partnership.core_agencies.filter(active=True).order_by("name")


def may_choose_same_as(user: Any, plan: Plan) -> bool:
    """Whoever may import into the plan and change the partnership's agencies' other names."""
    return can(user, "planfiles.import_plan", plan) and can(
        user, "partners.manage_agency_names", plan.partnership
    )


def import_names_same_as(*, plan: Plan, user: Any, same_as: Mapping[str, int]) -> list[AgencyAlias]:
    """Record each name (as the file writes it) as another name of the agency chosen for it (by
    its id), all or none.

    Raises Refused (a PermissionDenied) if the person may not (`may_choose_same_as`); and
    ValidationError, with every reason in words and nothing recorded, if an agency is not one
    of `same_as_choices(plan)` or a name breaks the rules of other names (another agency's
    name, another core agency's short name: partners.models.alias_problem).
    """
    for permission, obj in (
        ("planfiles.import_plan", plan),
        ("partners.manage_agency_names", plan.partnership),
    ):
        if not can(user, permission, obj):
            raise Refused(refusal(user, obj, permission), partnership_id=plan.partnership_id)
    agencies = {agency.pk: agency for agency in same_as_choices(plan)}
    added: list[AgencyAlias] = []
    problems: list[str] = []
    with transaction.atomic():
        for name, agency_id in same_as.items():
            agency = agencies.get(agency_id)
            if agency is None:
                problems.append(
                    f"“{name}” can be the same as an active agency of {plan.partnership.name} only."
                )
                continue
            try:
                added.append(agency_alias_add(agency=agency, alias=name, user=user))
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)  # leaving the transaction undoes the names added
    return added
