"""The fixed cast of the tests, built by the factories in tests/factories.py.

A Lichfield-like partnership with a draft plan, and a second partnership to stand outside it.
"""

import pytest

from tests.factories import (
    ActionFactory,
    AgencyFactory,
    MembershipFactory,
    OutcomeFactory,
    PartnershipFactory,
    PlanFactory,
    PriorityFactory,
    UserFactory,
)


@pytest.fixture
def police(db):
    return AgencyFactory(name="Staffordshire Police", short_name="Police", slug="police")


@pytest.fixture
def council(db):
    return AgencyFactory(name="Lichfield District Council", short_name="LDC", slug="ldc")


@pytest.fixture
def housing(db):
    return AgencyFactory(name="Bromford Housing Group", short_name="Bromford", slug="bromford")


@pytest.fixture
def unrelated_agency(db):
    """A core agency of the partnership that has nothing to do with the action under test."""
    return AgencyFactory(name="Humankind", short_name="Humankind", slug="humankind")


@pytest.fixture
def partnership(police, council, housing, unrelated_agency):
    return PartnershipFactory(
        name="Lichfield District Community Safety Partnership",
        slug="lichfield",
        core_agencies=[police, council, housing, unrelated_agency],
    )


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="West Mercia Police", short_name="WMP", slug="west-mercia-police")


@pytest.fixture
def other_partnership(other_agency):
    return PartnershipFactory(
        name="Tamworth Community Safety Partnership",
        slug="tamworth",
        core_agencies=[other_agency],
    )


@pytest.fixture
def plan(partnership):
    return PlanFactory(partnership=partnership, title="Community Safety Delivery Plan")


@pytest.fixture
def priority(plan):
    return PriorityFactory(plan=plan, title="Anti-social Behaviour (ASB)")


@pytest.fixture
def action(priority, police, council, partnership):
    """An action led by the police and supported by the council, with one outcome."""
    theme = partnership.themes.get(name="Early Intervention and Prevention")
    action = ActionFactory(
        priority=priority,
        theme=theme,
        lead_agency=police,
        description="Triaging of ASB reports to key agencies",
        supporting_agencies=[council],
    )
    OutcomeFactory(action=action, description="Quicker more effective responses")
    return action


# The people. Each one is a user with a known password (tests.factories.PASSWORD).


@pytest.fixture
def lead_officer(police):
    """An officer of the action's lead agency (the police)."""
    return MembershipFactory(user=UserFactory(username="alice"), agency=police).user


@pytest.fixture
def supporting_officer(council):
    """An officer of a supporting agency (the council)."""
    return MembershipFactory(user=UserFactory(username="bob"), agency=council).user


@pytest.fixture
def unrelated_officer(unrelated_agency):
    """An officer of a core agency with no part in the action."""
    return MembershipFactory(user=UserFactory(username="charlie"), agency=unrelated_agency).user


@pytest.fixture
def representative(housing):
    """A person who speaks for their agency (the housing association)."""
    return MembershipFactory(
        user=UserFactory(username="dana"), agency=housing, may_speak_for_agency=True
    ).user


@pytest.fixture
def coordinator(partnership):
    user = UserFactory(username="erin")
    partnership.coordinators.add(user)
    return user


@pytest.fixture
def other_coordinator(other_partnership):
    user = UserFactory(username="frank")
    other_partnership.coordinators.add(user)
    return user


@pytest.fixture
def outsider(other_agency):
    """An officer of an agency in another partnership only."""
    return MembershipFactory(user=UserFactory(username="grace"), agency=other_agency).user


@pytest.fixture
def area(partnership):
    """Staffordshire: the police force and commissioner's area the partnership belongs to."""
    from partners.models import Area

    found = Area.objects.create(name="Staffordshire", slug="staffordshire")
    partnership.area = found
    partnership.save(update_fields=["area"])
    return found


@pytest.fixture
def analyst(area):
    """A county analyst of the area (the commissioner's office): reads, never changes."""
    user = UserFactory(username="olu")
    area.analysts.add(user)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests only need passwords that check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def publish(db):
    """Publish a plan as the coordinator would at the end of agreement; returns the version."""
    from lifecycle.services import plan_publish
    from priorities.models import Plan

    def do(plan, user=None, *, draw=False):
        """draw=True: also draw the version's PDF and Word document, as the task worker does
        once the publication is committed (lifecycle/published_files.py)."""
        user = user or UserFactory(username="publisher", is_superuser=True, is_staff=True)
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
        plan.refresh_from_db()
        version = plan_publish(plan=plan, user=user)
        if draw:
            from lifecycle.published_files import draw_missing

            draw_missing(version)
        return version

    return do


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached pages are keyed by database ids, which the next test reuses.
    from django.core.cache import cache

    from lifecycle.public_cache import forget_local

    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture
def demo_plan(db, settings):
    """The Lichfield 2021-22 plan as `load_demo` loads it, with the demo users."""
    import io

    from django.core.management import call_command

    from priorities.models import Plan

    settings.DEBUG = True  # load_demo creates the demo users only with DEBUG on
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    return Plan.objects.get(partnership__slug="lichfield")


# Through the year: measures (tests/tracking/, tests/planfiles/).


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded PDFs land in a folder of the test's own, never in the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def asb_measure(plan, priority):
    from tracking.models import Measure

    return Measure.objects.create(
        plan=plan,
        priority=priority,
        name="ASB incidents",
        unit="incidents",
        frequency=Measure.Frequency.QUARTERLY,
    )


@pytest.fixture
def monthly_measure(plan):
    from tracking.models import Measure

    return Measure.objects.create(
        plan=plan, name="Repeat callers", unit="people", frequency=Measure.Frequency.MONTHLY
    )


@pytest.fixture
def annual_measure(plan):
    from tracking.models import Measure

    return Measure.objects.create(
        plan=plan, name="Residents feeling safe", unit="%", frequency=Measure.Frequency.ANNUAL
    )


# Single sign-on: a real OpenID Connect provider under node (tests/sso.py).


@pytest.fixture(scope="session")
def oidc_issuer():
    """The test provider, for the Django test client (whose site is http://testserver)."""
    from tests.sso import running_provider

    with running_provider(["http://testserver/oidc/callback/"]) as issuer:
        yield issuer


@pytest.fixture
def sso(settings, oidc_issuer):
    """Single sign-on on, with the test provider; returns its issuer."""
    from tests.sso import configure

    configure(settings, oidc_issuer)
    return oidc_issuer
