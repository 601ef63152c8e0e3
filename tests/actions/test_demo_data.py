"""`load_demo` against the seed: every partner, priority, theme, action, outcome and cell.

The expected values are read from the seed document itself, not from the loader's own tables,
so a typo in the loader fails here.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from actions.models import Action, Outcome
from partners.models import Agency, Membership, Partnership
from priorities.models import Plan, Priority, Theme
from tracking.models import Figure, Measure

SEED = Path(settings.BASE_DIR).parent / "shared/seed/lichfield-csp-delivery-plan-2021-22.txt"

# The seed's table headings, and the themes the partnership names them by.
SEED_THEMES = {
    "Early Intervention Prevention": "Early Intervention and Prevention",
    "Managing Perpetrators": "Managing Perpetrators",
    "Supporting Victims & Witnesses": "Supporting Victims and Witnesses",
    "Public Confidence": "Public Confidence",
}


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"The seed document is missing at {SEED}")
        pytest.skip(f"The seed document is not beside the project ({SEED})")
    return SEED.read_text(encoding="utf-8").splitlines()


def _between(lines: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i, line in enumerate(lines) if i > first and line.startswith(end))
    return [line.strip() for line in lines[first + 1 : last] if line.strip()]


def seed_agencies(lines):
    return _between(lines, "Lichfield District CSP has a core group", "# **Impact")


def seed_priorities(lines):
    return _between(lines, "The Strategic Assessment has highlighted", "There is also")


def seed_actions(lines, priorities) -> list[tuple[str, str, str, str]]:
    """(priority, theme, action, outcome) for every row of the seed's example tables.

    A row whose action text starts in lower case continues the cell above (the seed wraps long
    cells over several lines).
    """
    rows: list[list[str]] = []
    priority = theme = None
    for line in lines:
        if line.rstrip("\t").endswith("(example)"):
            heading = line.split("(example)")[0].strip()
            priority = next(p for p in priorities if p.startswith(heading))
        elif priority and not line.startswith("\t") and "Actions" in line:
            theme = SEED_THEMES[line.split("\t")[0].strip()]
        elif priority and line.startswith("\t"):
            cells = line.split("\t")
            action_part = cells[1].strip()
            outcome_part = cells[2].strip() if len(cells) > 2 else ""
            if action_part[:1].islower() and rows:
                rows[-1][2] += " " + action_part
                rows[-1][3] = (rows[-1][3] + " " + outcome_part).strip()
            else:
                rows.append([priority, theme, action_part, outcome_part])
    return [tuple(row) for row in rows]


def _snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (
            Partnership,
            Agency,
            Theme,
            Plan,
            Priority,
            Action,
            Outcome,
            Membership,
            Measure,
            Figure,
        )
    } | {"users": get_user_model().objects.count()}


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    return Plan.objects.get(partnership__slug="lichfield")


def test_partnership_and_its_core_agencies_are_the_seeds(loaded, seed_lines):
    partnership = loaded.partnership
    assert partnership.name == "Lichfield District Community Safety Partnership"
    assert partnership.slug == "lichfield"
    assert sorted(partnership.core_agencies.values_list("name", flat=True)) == sorted(
        seed_agencies(seed_lines)
    )
    assert len(seed_agencies(seed_lines)) == 9


def test_plan_is_the_seeds_draft_for_2021_22(loaded, seed_lines):
    assert loaded.title == "Community Safety Delivery Plan Outline 2021 – 2022"
    assert seed_lines[0].strip("# *") == loaded.title
    assert loaded.period == "2021-22"
    assert str(loaded.period_start) == "2021-04-01"
    assert str(loaded.period_end) == "2022-03-31"
    assert str(loaded.deadline) == "2021-05-01"
    assert loaded.status == Plan.Status.DRAFT
    text = "\n".join(seed_lines)
    assert loaded.introduction.startswith("The Crime and Disorder Act 1998 places obligations")
    assert loaded.introduction in text
    assert loaded.context.startswith("The delivery plan for 2020 – 21 was produced prior")
    assert loaded.context in text
    assert loaded.aspirations == "There is also a development needed in the assessment of data."


def test_four_themes_keep_the_opfcc_wording(loaded):
    themes = list(loaded.partnership.themes.order_by("order"))
    assert [t.name for t in themes] == list(SEED_THEMES.values())
    assert themes[1].opfcc_name == "Managing Offenders"


def test_every_priority_line_of_the_seed_is_a_priority(loaded, seed_lines):
    expected = seed_priorities(seed_lines)
    assert "City Centre Chasetown" in expected
    assert len(expected) == 7
    assert list(loaded.priorities.order_by("order").values_list("title", flat=True)) == expected


def test_every_action_and_outcome_word_for_word_in_its_cell(loaded, seed_lines):
    expected = seed_actions(seed_lines, seed_priorities(seed_lines))
    assert len(expected) == 9
    actual = [
        (a.priority.title, a.theme.name, a.description, [o.description for o in a.outcomes.all()])
        for a in Action.objects.filter(priority__plan=loaded)
        .select_related("priority", "theme")
        .order_by("order")
    ]
    assert sorted((p, t, a, [o]) for p, t, a, o in expected) == sorted(actual)
    # Wrapped cells were joined with single spaces, as the seed reads.
    assert all(not re.search(r"\s{2,}", a) for _, _, a, _ in expected)


def test_every_demo_action_has_a_lead_agency_of_the_partnership(loaded):
    core = set(loaded.partnership.core_agencies.all())
    for action in Action.objects.filter(priority__plan=loaded):
        assert action.lead_agency in core
        assert set(action.supporting_agencies.all()) <= core


def test_demo_users_and_their_roles(loaded):
    User = get_user_model()
    usernames = ["admin", "coordinator", "police.officer", "bromford.officer", "council.officer"]
    for username in usernames:
        assert User.objects.get(username=username).check_password("demo-password-2021")
    assert User.objects.get(username="admin").is_superuser
    assert loaded.partnership.coordinators.filter(username="coordinator").exists()
    police = Membership.objects.get(user__username="police.officer")
    assert police.agency.name == "Staffordshire Police"
    assert police.may_speak_for_agency
    assert Membership.objects.get(user__username="bromford.officer").agency.name == (
        "Bromford Housing Group"
    )
    assert Membership.objects.get(user__username="council.officer").agency.name == (
        "Lichfield District Council"
    )


def test_second_run_adds_nothing(loaded, settings):
    before = _snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert _snapshot() == before


def test_refuses_demo_users_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    assert not Plan.objects.exists()


def test_plan_only_is_allowed_when_debug_is_off(db, settings):
    settings.DEBUG = False
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    assert Plan.objects.filter(partnership__slug="lichfield").exists()
    assert not get_user_model().objects.exists()


def test_asb_measure_has_police_and_housing_figures_for_eight_quarters(loaded):
    measure = Measure.objects.get(plan=loaded, name="ASB incidents")
    assert measure.priority.title == "Anti-social Behaviour (ASB)"
    assert measure.frequency == "quarterly"
    for agency in ["Staffordshire Police", "Bromford Housing Group"]:
        assert Figure.objects.filter(measure=measure, agency__name=agency).count() == 8
    q1 = {
        f.agency.name: f.value
        for f in Figure.objects.filter(measure=measure, period_start="2020-04-01")
    }
    assert q1 == {"Staffordshire Police": 412, "Bromford Housing Group": 97}


def test_every_demo_officer_speaks_for_their_agency(loaded):
    """A newcomer can try a round of agreement as each demo officer."""
    officers = Membership.objects.filter(user__username__endswith=".officer")
    assert sorted(m.user.username for m in officers) == [
        "bromford.officer",
        "council.officer",
        "police.officer",
    ]
    assert all(m.may_speak_for_agency for m in officers)
    # The coordinator records answers given at meetings; they do not speak for the council.
    assert not Membership.objects.get(user__username="coordinator").may_speak_for_agency
