"""Published versions: frozen byte for byte, compared change by change, read by the public.

Publishing freezes the plan as a numbered version. "Amend plan" opens a draft revision; the public
keeps reading the last published version at /plans/<partnership>/<period>/ until the next one is
published. Restricted actions reach the public only as "Restricted action led by <agency>", on
every page and in the PDF.

Most tests use the Lichfield demo plan (`load_demo`), published the way the coordinator publishes
it (the conftest `publish` fixture), then amended and edited through the pages as the coordinator.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from pypdf import PdfReader

from actions.models import Action, Outcome
from lifecycle.models import PublishedVersion
from lifecycle.services import plan_amend
from lifecycle.snapshot import ActionChange, FieldChange, compare, plan_snapshot, serialise
from partners.models import Agency
from priorities.models import Plan
from tests.lifecycle.test_lifecycle import action_form_data, database_snapshot, outcome_forms

URL = "/plans/lichfield/2021-22/"

# Demo actions by what they are about (their descriptions are long: these are their openings).
TRIAGE = "Triaging of ASB reports to key agencies"
SWIFT_ACTION = "Taking swift positive action to tackle those causing anti-social behaviour"
REPEAT_PERPETRATORS = "Repeat perpetrators of domestic abuse to be identified"
PUBLICITY = "Publicity and awareness raising around key events"

NEW_ACTION = "County Lines disruption days with Trading Standards and the British Transport Police"
NEW_OUTCOME = "Fewer young people exploited by county lines"


@pytest.fixture
def coordinator(demo_plan, django_user_model):
    """The demo's coordinator (shadows the conftest one: the demo brings its own)."""
    return django_user_model.objects.get(username="coordinator")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def demo_action(opening: str) -> Action:
    return Action.objects.get(description__startswith=opening)


def fresh(plan: Plan) -> Plan:
    return Plan.objects.select_related("partnership").get(pk=plan.pk)


def page_text(response) -> str:
    """The page's HTML with entities unescaped and whitespace run together."""
    assert response.status_code == 200, response.status_code
    return " ".join(html.unescape(response.content.decode()).split())


def words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def drawn() -> None:
    """Every published version's PDF and Word document, drawn as the task worker does."""
    call_command("draw_published_files", stdout=io.StringIO())


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return words(" ".join(page.extract_text() for page in reader.pages))


def version(plan: Plan, number: int) -> PublishedVersion:
    return PublishedVersion.objects.get(plan=plan, number=number)


def published_action(plan: Plan, number: int, opening: str) -> dict:
    """An action as a published version has it."""
    actions = version(plan, number).data["actions"]
    return next(a for a in actions if a["description"].startswith(opening))


# -- Editing the draft revision as the coordinator does, through the pages.


def edit_action(client, opening: str, **changes) -> Action:
    action = demo_action(opening)
    response = client.post(f"/actions/{action.pk}/edit/", action_form_data(action, **changes))
    assert response.status_code == 302, page_text(response)[:2000]
    return Action.objects.get(pk=action.pk)


def add_action(client, plan: Plan, priority_title: str, description: str, outcome: str) -> Action:
    priority = plan.priorities.get(title=priority_title)
    data = {
        "priority": priority.pk,
        "theme": plan.partnership.themes.get(name="Managing Perpetrators").pk,
        "description": description,
        "lead_agency": Agency.objects.get(name="Staffordshire Police").pk,
        "supporting_agencies": [Agency.objects.get(name="Lichfield District Council").pk],
        "target_date": "2022-03-31",
        "status": "proposed",
    } | outcome_forms([{"description": outcome}], initial=0)
    response = client.post(f"{URL}actions/add/", data)
    assert response.status_code == 302, page_text(response)[:2000]
    return Action.objects.get(description=description)


def delete_action(client, opening: str) -> None:
    response = client.post(f"/actions/{demo_action(opening).pk}/delete/")
    assert response.status_code == 302


def amend(plan: Plan, coordinator) -> None:
    plan_amend(plan=fresh(plan), user=coordinator)


# -- Frozen: what was published stays byte for byte what was published.


def test_a_published_version_stays_byte_for_byte_what_was_published(
    coordinator_client, demo_plan, coordinator, publish
):
    published = publish(demo_plan)
    stored = PublishedVersion.objects.get(pk=published.pk)
    snapshot, checksum = stored.snapshot, stored.checksum
    assert checksum == hashlib.sha256(snapshot.encode("utf-8")).hexdigest()
    assert stored.data["plan"]["revision"] == 1
    assert TRIAGE in snapshot

    amend(demo_plan, coordinator)
    edit_action(
        coordinator_client,
        TRIAGE,
        description="Triage every ASB report within a day",
        outcome={"description": "Every report answered within a day", "measure": "Days"},
    )
    add_action(coordinator_client, demo_plan, "County Lines", NEW_ACTION, NEW_OUTCOME)
    delete_action(coordinator_client, PUBLICITY)
    priority = demo_plan.priorities.get(title="Fraud")
    response = coordinator_client.post(
        f"/priorities/{priority.pk}/edit/",
        {"title": "Fraud and Scams", "description": "Doorstep crime", "evidence": ""},
    )
    assert response.status_code == 302
    plan = fresh(demo_plan)
    plan.introduction = "A new introduction for the amended plan."  # as the admin edits it
    plan.save()
    # Things the plan only names change too.
    Agency.objects.filter(name="Staffordshire Police").update(name="Staffordshire Constabulary")
    plan.partnership.themes.filter(name="Public Confidence").update(name="Confidence")

    after = PublishedVersion.objects.get(pk=published.pk)
    assert after.snapshot == snapshot
    assert after.checksum == checksum
    assert hashlib.sha256(after.snapshot.encode("utf-8")).hexdigest() == checksum
    # The version's page still says what was published.
    page = page_text(coordinator_client.get(f"{URL}versions/1/"))
    assert TRIAGE in page
    assert "Triage every ASB report within a day" not in page
    # (The measures' figures to date are live; the plan's own text is what was published.)
    assert "<li>Staffordshire Police</li>" in page
    assert "Lead: Staffordshire Police" in re.sub(r"<[^>]+>", "", page)
    assert "Staffordshire Constabulary</li>" not in page
    assert "Lead: Staffordshire Constabulary" not in re.sub(r"<[^>]+>", "", page)
    assert "Public Confidence" in page
    assert "A new introduction for the amended plan." not in page


def test_the_same_plan_always_freezes_to_the_same_bytes(demo_plan, publish):
    published = publish(demo_plan)
    again, checksum = serialise(plan_snapshot(fresh(demo_plan)))
    assert again == published.snapshot
    assert checksum == published.checksum


@pytest.mark.parametrize("change", ["snapshot", "checksum", "published_at", "nothing"])
def test_a_published_version_cannot_be_saved_again(demo_plan, publish, change):
    published = publish(demo_plan)
    stored = PublishedVersion.objects.get(pk=published.pk)
    before = database_snapshot()
    if change == "snapshot":
        stored.snapshot = stored.snapshot.replace(TRIAGE, "Something else")
    elif change == "checksum":
        stored.checksum = "0" * 64
    elif change == "published_at":
        stored.published_at = stored.published_at.replace(year=2020)
    with pytest.raises(ValidationError) as caught:
        stored.save()
    assert caught.value.messages == ["A published version cannot be changed."]
    assert database_snapshot() == before


def test_publishing_the_amended_plan_adds_version_2_and_keeps_version_1(
    coordinator_client, demo_plan, coordinator, publish
):
    first = publish(demo_plan)
    amend(demo_plan, coordinator)
    edit_action(coordinator_client, TRIAGE, description="Triage every ASB report within a day")
    second = publish(fresh(demo_plan))

    assert second.number == 2
    assert PublishedVersion.objects.get(pk=first.pk).snapshot == first.snapshot
    assert PublishedVersion.objects.get(pk=first.pk).checksum == first.checksum
    assert second.checksum != first.checksum
    assert second.data["plan"]["revision"] == 2
    assert "Triage every ASB report within a day" in second.snapshot
    assert "Triage every ASB report within a day" not in first.snapshot


# -- What changed between two versions: exactly the changes made.


@pytest.fixture
def two_versions(coordinator_client, demo_plan, coordinator, publish):
    """Version 1 is the demo plan. Version 2: one action added, one removed, one changed."""
    publish(demo_plan)
    amend(demo_plan, coordinator)
    add_action(coordinator_client, demo_plan, "County Lines", NEW_ACTION, NEW_OUTCOME)
    delete_action(coordinator_client, PUBLICITY)
    changed = demo_action(REPEAT_PERPETRATORS)
    old_description = changed.description
    edit_action(
        coordinator_client,
        REPEAT_PERPETRATORS,
        description="Repeat perpetrators of domestic abuse to be identified and offered the "
        "Drive programme",
        lead_agency=Agency.objects.get(name="Lichfield District Council").pk,
        outcome={"description": changed.outcomes.get().description, "measure": "MARAC repeats"},
    )
    publish(fresh(demo_plan))
    return old_description


def test_compare_lists_exactly_the_actions_added_removed_and_changed(demo_plan, two_versions):
    old_description = two_versions
    publicity = published_action(demo_plan, 1, PUBLICITY)
    diff = compare(version(demo_plan, 1).data, version(demo_plan, 2).data)

    assert diff.plan == []
    assert diff.priorities_added == []
    assert diff.priorities_removed == []
    assert diff.added == [NEW_ACTION]
    assert diff.removed == [publicity["description"]]
    new_description = (
        "Repeat perpetrators of domestic abuse to be identified and offered the Drive programme"
    )
    outcome = "Reduction in repeated domestic abuse by the same perpetrator"
    assert diff.changed == [
        ActionChange(
            new_description,
            [
                FieldChange("Action", old_description, new_description),
                FieldChange(
                    "Lead agency", "Staffordshire Probation Service", "Lichfield District Council"
                ),
                FieldChange("Outcomes", outcome, f"{outcome} (measure: MARAC repeats)"),
            ],
        )
    ]
    assert not diff.is_empty


def test_comparing_a_version_with_itself_finds_nothing(demo_plan, two_versions):
    data = version(demo_plan, 2).data
    assert compare(data, data).is_empty


def test_the_compare_page_shows_exactly_the_changes(client, demo_plan, two_versions):
    old_description = two_versions
    response = client.get(f"{URL}versions/compare/?from=1&to=2")  # anyone may read it
    page = page_text(response)

    assert "What changed from version 1 to version 2" in page
    headings = re.findall(r'<h2 class="h4">(.*?)</h2>', page)
    assert headings == ["Actions added", "Actions removed", "Actions changed"]
    assert f"<li>{NEW_ACTION}</li>" in page
    publicity = published_action(demo_plan, 1, PUBLICITY)
    assert f"<li>{publicity['description']}</li>" in page
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', page)
    assert rows == [
        ("Action", old_description, demo_action(REPEAT_PERPETRATORS).description),
        ("Lead agency", "Staffordshire Probation Service", "Lichfield District Council"),
        (
            "Outcomes",
            "Reduction in repeated domestic abuse by the same perpetrator",
            "Reduction in repeated domestic abuse by the same perpetrator (measure: MARAC repeats)",
        ),
    ]
    # Nothing else: the actions that did not change are not mentioned.
    for action in version(demo_plan, 2).data["actions"]:
        if action["description"] not in (NEW_ACTION, demo_action(REPEAT_PERPETRATORS).description):
            assert action["description"] not in page


def test_compare_lists_changes_to_the_plan_text_and_its_priorities(
    coordinator_client, demo_plan, coordinator, publish
):
    publish(demo_plan)
    amend(demo_plan, coordinator)
    plan = fresh(demo_plan)
    old_introduction = plan.introduction
    plan.introduction = "The partnership's plan, amended after the summer review."
    plan.save()
    fraud = plan.priorities.get(title="Fraud")
    assert coordinator_client.post(f"/priorities/{fraud.pk}/delete/").status_code == 302
    response = coordinator_client.post(
        f"{URL}priorities/add/",
        {"title": "Serious Violence", "description": "Knife crime", "evidence": ""},
    )
    assert response.status_code == 302
    publish(fresh(demo_plan))

    diff = compare(version(demo_plan, 1).data, version(demo_plan, 2).data)
    assert diff.plan == [
        FieldChange(
            "Introduction",
            old_introduction,
            "The partnership's plan, amended after the summer review.",
        )
    ]
    assert diff.priorities_added == ["Serious Violence"]
    assert diff.priorities_removed == ["Fraud"]
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])

    page = page_text(coordinator_client.get(f"{URL}versions/compare/?from=1&to=2"))
    assert "<li>Added: Serious Violence</li>" in page
    assert "<li>Removed: Fraud</li>" in page
    assert "The partnership's plan, amended after the summer review." in page
    assert "Actions changed" not in page


@pytest.mark.parametrize("query", ["?from=1&to=3", "?from=1", "?from=one&to=2", "", "?from=0&to=1"])
def test_compare_needs_two_published_versions(client, demo_plan, two_versions, query):
    assert client.get(f"{URL}versions/compare/{query}").status_code == 404


@pytest.mark.parametrize(
    "path", ["versions/", "versions/1/", "versions/compare/?from=1&to=1", "plan.pdf"]
)
def test_nothing_is_public_before_the_first_publication(coordinator_client, demo_plan, path):
    assert coordinator_client.get(URL + path).status_code == 404


# -- The public plan.


def test_the_public_reads_the_published_plan_without_signing_in(client, demo_plan, publish):
    publish(demo_plan)
    page = page_text(client.get(URL))
    assert demo_plan.title in page
    assert "Version 1</strong>, published" in page
    for action in Action.objects.filter(priority__plan=demo_plan):
        assert action.description in page
    for outcome in Outcome.objects.filter(action__priority__plan=demo_plan):
        assert outcome.description in page
    assert f'href="{URL}versions/1/plan.pdf"' in page
    assert f'href="{URL}versions/"' in page


def test_while_the_plan_is_amended_the_public_still_reads_version_1(
    client, coordinator_client, demo_plan, coordinator, publish
):
    publish(demo_plan)
    amend(demo_plan, coordinator)
    edited = "Triage every ASB report within a day, with the housing association"
    edit_action(coordinator_client, TRIAGE, description=edited)
    add_action(coordinator_client, demo_plan, "County Lines", NEW_ACTION, NEW_OUTCOME)
    plan = fresh(demo_plan)
    plan.introduction = "Revised after the summer review."
    plan.save()
    assert plan.status == Plan.Status.DRAFT and plan.revision == 2

    for reader in (client, coordinator_client):
        page = page_text(reader.get(URL))
        assert demo_action(SWIFT_ACTION).description in page
        assert "Version 1</strong>, published" in page
        assert TRIAGE in page
        for draft_text in (edited, NEW_ACTION, NEW_OUTCOME, "summer review"):
            assert draft_text not in page, draft_text
    for path in ("versions/", "versions/1/"):
        page = page_text(client.get(URL + path))
        for draft_text in (edited, NEW_ACTION, "summer review"):
            assert draft_text not in page, (path, draft_text)
    drawn()
    text = pdf_text(client.get(URL + "plan.pdf"))
    assert words(TRIAGE) in text
    assert words(edited) not in text
    assert words(NEW_ACTION) not in text

    # The coordinator reads the draft revision in the workspace.
    workspace = page_text(coordinator_client.get(URL + "workspace/"))
    assert edited in workspace


@pytest.mark.parametrize("path", ["", "versions/", "versions/1/", "plan.pdf"])
def test_a_new_title_in_the_draft_revision_reaches_no_public_page(
    client, demo_plan, coordinator, publish, path
):
    publish(demo_plan)
    amend(demo_plan, coordinator)
    plan = fresh(demo_plan)
    plan.title = "Community Safety Plan, revised after the summer review"  # as the admin edits it
    plan.save()

    drawn()
    response = client.get(URL + path)
    text = pdf_text(response) if path.endswith(".pdf") else page_text(response)
    assert words(demo_plan.title) in text
    assert "revised after the summer review" not in text


def test_after_the_next_publication_the_public_reads_it_and_can_go_back(
    client, coordinator_client, demo_plan, coordinator, publish
):
    publish(demo_plan)
    amend(demo_plan, coordinator)
    add_action(coordinator_client, demo_plan, "County Lines", NEW_ACTION, NEW_OUTCOME)
    publish(fresh(demo_plan))

    latest = page_text(client.get(URL))
    assert "Version 2</strong>, published" in latest
    assert NEW_ACTION in latest
    assert "This is not the latest version" not in latest
    assert f'href="{URL}versions/"' in latest

    versions = page_text(client.get(URL + "versions/"))
    assert f'<a href="{URL}versions/2/">Version 2</a>' in versions
    assert f'<a href="{URL}versions/1/">Version 1</a>' in versions
    assert versions.index("Version 2") < versions.index("Version 1")
    assert "Compare two versions" in versions

    earlier = page_text(client.get(URL + "versions/1/"))
    assert "Version 1</strong>, published" in earlier
    assert "This is not the latest version." in earlier
    assert f'<a href="{URL}">Read the latest version</a>' in earlier
    assert NEW_ACTION not in earlier
    assert f'href="{URL}versions/1/plan.pdf"' in earlier
    assert client.get(URL + "versions/3/").status_code == 404


# -- Restricted actions: only who leads them, everywhere the public looks.

SECRET_DESCRIPTION = "Operation Nightjar: covert disruption of the Beacon Street drug address"
SECRET_DESCRIPTION_2 = "Operation Nightjar phase two: warrants at the Beacon Street address"
SECRET_OUTCOME = "Closure order on the Beacon Street address"
SECRET_MEASURE = "Nightjar arrests"
SECRET_BASELINE = "Four calls a week from Beacon Street"
SECRET_TARGET = "No calls from Beacon Street"
RESTRICTED_LABEL = "Restricted action led by Staffordshire Police"


@pytest.fixture
def restricted(coordinator_client, demo_plan):
    """The police's swift-action on ASB becomes a restricted police operation, supported by the
    council and the housing association, with an outcome that names the address."""
    action = demo_action(SWIFT_ACTION)
    data = action_form_data(
        action,
        description=SECRET_DESCRIPTION,
        restricted="on",
        outcome={
            "description": SECRET_OUTCOME,
            "measure": SECRET_MEASURE,
            "baseline": SECRET_BASELINE,
            "target": SECRET_TARGET,
        },
    )
    response = coordinator_client.post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 302
    action = Action.objects.get(pk=action.pk)
    assert action.restricted
    assert sorted(a.name for a in action.supporting_agencies.all()) == [
        "Bromford Housing Group",
        "Lichfield District Council",
    ]
    return action


SECRETS = [
    SECRET_DESCRIPTION,
    SECRET_DESCRIPTION_2,
    SECRET_OUTCOME,
    SECRET_MEASURE,
    SECRET_BASELINE,
    SECRET_TARGET,
    "Beacon Street",
    "Nightjar",
]


def restricted_rows(page: str) -> list[str]:
    """The table rows of the page's restricted actions."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    return [row for row in rows if RESTRICTED_LABEL in row]


def assert_only_the_label(page: str, label_count: int = 1) -> None:
    for secret in SECRETS:
        assert secret not in page, secret
    assert "Restricted: not shown to the public" not in page
    rows = restricted_rows(page)
    assert len(rows) == label_count
    for row in rows:
        assert "Supporting" not in row
        assert "Lichfield District Council" not in row
        assert "Bromford Housing Group" not in row
        assert "Lead: Staffordshire Police" in re.sub(r"<[^>]+>", "", row)


def test_members_see_the_restricted_action_in_the_draft(coordinator_client, restricted):
    page = page_text(coordinator_client.get(URL))
    assert SECRET_DESCRIPTION in page
    assert "Restricted: not shown to the public" in page


def test_a_restricted_action_reaches_the_public_only_as_who_leads_it(
    client, demo_plan, restricted, publish
):
    publish(demo_plan)
    for path in ("", "versions/1/"):
        page = page_text(client.get(URL + path))
        assert RESTRICTED_LABEL in page
        assert_only_the_label(page)
        # The other actions are there in full.
        assert demo_action(TRIAGE).description in page


def test_a_restricted_action_stays_hidden_on_the_compare_page(
    client, coordinator_client, demo_plan, coordinator, restricted, publish
):
    publish(demo_plan)
    amend(demo_plan, coordinator)
    # The operation moves on: its description and outcome change, in the draft and in version 2.
    action = Action.objects.get(pk=restricted.pk)
    outcome = action.outcomes.get()
    data = action_form_data(
        action,
        description=SECRET_DESCRIPTION_2,
        restricted="on",
        outcome={
            "id": outcome.pk,
            "description": SECRET_OUTCOME + " and a second one",
            "measure": SECRET_MEASURE,
        },
    )
    assert coordinator_client.post(f"/actions/{action.pk}/edit/", data).status_code == 302
    add_action(coordinator_client, demo_plan, "County Lines", NEW_ACTION, NEW_OUTCOME)
    publish(fresh(demo_plan))

    diff = compare(version(demo_plan, 1).data, version(demo_plan, 2).data)
    assert diff.changed  # the frozen data itself has the change…
    page = page_text(client.get(URL + "versions/compare/?from=1&to=2"))
    # …but the public is told only of the public action added.
    assert f"<li>{NEW_ACTION}</li>" in page
    assert "Actions changed" not in page
    for secret in SECRETS:
        assert secret not in page, secret
    for path in ("", "versions/1/", "versions/2/"):
        assert_only_the_label(page_text(client.get(URL + path)))


def test_the_pdf_is_the_published_plan_with_every_public_action_and_no_restricted_detail(
    client, demo_plan, restricted, publish
):
    publish(demo_plan, draw=True)
    response = client.get(URL + "plan.pdf")

    assert response["Content-Disposition"] == 'inline; filename="lichfield-2021-22-v1.pdf"'
    text = pdf_text(response)
    assert words(demo_plan.title) in text
    assert "Version 1, published" in text
    public = Action.objects.filter(priority__plan=demo_plan, restricted=False)
    assert public.count() == 8
    for action in public:
        assert words(action.description) in text, action.description
        for outcome in action.outcomes.all():
            assert words(outcome.description) in text, outcome.description
    assert RESTRICTED_LABEL in text
    for secret in SECRETS:
        assert words(secret) not in text, secret


def test_the_pdf_of_an_earlier_version_is_that_version(
    client, coordinator_client, demo_plan, coordinator, publish
):
    publish(demo_plan)
    amend(demo_plan, coordinator)
    add_action(coordinator_client, demo_plan, "County Lines", NEW_ACTION, NEW_OUTCOME)
    publish(fresh(demo_plan))
    drawn()

    first = client.get(URL + "versions/1/plan.pdf")
    assert first["Content-Disposition"] == 'inline; filename="lichfield-2021-22-v1.pdf"'
    assert words(NEW_ACTION) not in pdf_text(first)
    latest = client.get(URL + "plan.pdf")
    assert latest["Content-Disposition"] == 'inline; filename="lichfield-2021-22-v2.pdf"'
    assert words(NEW_ACTION) in pdf_text(latest)
