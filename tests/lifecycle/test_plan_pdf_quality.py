"""The published plan's PDF is a document a council is proud of: tagged (PDF/UA-1), its pages
numbered with the partnership's name in a running header, no heading alone at the foot of a page,
and no text hidden on screen printed (the table captions only screen readers need)."""

import io
import re

from pypdf import PdfReader

from lifecycle.pdf import render_plan_pdf
from tests.factories import ActionFactory, OutcomeFactory, PriorityFactory


def test_the_plan_pdf_is_tagged_numbered_and_prints_no_hidden_text(
    plan, partnership, police, publish
):
    themes = list(partnership.themes.order_by("order"))
    for number in range(8):
        priority = PriorityFactory(plan=plan, title=f"Priority number {number}", order=number)
        for index in range(6):
            action = ActionFactory(
                priority=priority,
                theme=themes[index % 4],
                lead_agency=police,
                description=f"Action {index} of priority {number}: " + "words " * 30,
            )
            OutcomeFactory(action=action, description="An outcome", baseline="10", target="5")
    version = publish(plan)
    reader = PdfReader(io.BytesIO(render_plan_pdf(plan, version)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 2
    headings = {f"Priority number {n}" for n in range(8)}
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert partnership.name in text
        assert "Actions and outcomes for" not in text  # the screen readers' caption
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        body = [
            line
            for line in lines
            if not re.match(r"^Page \d+ of \d+$", line) and partnership.name not in line
        ]
        assert body[-1] not in headings, f"page {number} ends on a heading: {body[-3:]}"
