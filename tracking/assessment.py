"""The year's Strategic Assessment: recorded for a plan, with a link and/or a PDF."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files import File
from django.db import transaction

from partners.history import record_author
from partners.models import Agency
from priorities.models import Plan
from tracking.models import StrategicAssessment


def assessment_of(plan: Plan) -> StrategicAssessment | None:
    try:
        return plan.assessment
    except StrategicAssessment.DoesNotExist:
        return None


@transaction.atomic
def assessment_save(
    *,
    plan: Plan,
    user: Any,
    title: str,
    author: Agency | None = None,
    date: datetime.date | None = None,
    summary: str = "",
    url: str = "",
    document: File | None = None,
    remove_document: bool = False,
) -> StrategicAssessment:
    """Record the plan's Strategic Assessment, or change it. `document` is a new PDF to keep (None
    keeps the one there is); `remove_document` detaches it. A replaced or removed PDF stays in
    storage: the assessment's history points at it."""
    assessment = assessment_of(plan) or StrategicAssessment(plan=plan)
    assessment.title, assessment.author, assessment.date = title, author, date
    assessment.summary, assessment.url = summary, url
    if document is not None:
        assessment.document = document
    elif remove_document:
        assessment.document = None
    record_author(assessment, user)
    assessment.save()
    return assessment
