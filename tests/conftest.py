"""The fixtures every test may use. The cast (a Lichfield-like partnership with a draft plan, and a
second partnership to stand outside it) is tests/cast.py's: each fixture below is one member.
"""

import pytest

from tests.cast import Cast
from tests.factories import UserFactory


@pytest.fixture
def cast(db):
    """The cast, each member made when a test first asks for it."""
    return Cast()


@pytest.fixture
def police(cast):
    return cast.police


@pytest.fixture
def council(cast):
    return cast.council


@pytest.fixture
def housing(cast):
    return cast.housing


@pytest.fixture
def unrelated_agency(cast):
    return cast.unrelated_agency


@pytest.fixture
def partnership(cast):
    return cast.partnership


@pytest.fixture
def other_agency(cast):
    return cast.other_agency


@pytest.fixture
def other_partnership(cast):
    return cast.other_partnership


@pytest.fixture
def plan(cast):
    return cast.plan


@pytest.fixture
def priority(cast):
    return cast.priority


@pytest.fixture
def action(cast):
    return cast.action


@pytest.fixture
def lead_officer(cast):
    return cast.lead_officer


@pytest.fixture
def supporting_officer(cast):
    return cast.supporting_officer


@pytest.fixture
def unrelated_officer(cast):
    return cast.unrelated_officer


@pytest.fixture
def representative(cast):
    return cast.representative


@pytest.fixture
def coordinator(cast):
    return cast.coordinator


@pytest.fixture
def other_coordinator(cast):
    return cast.other_coordinator


@pytest.fixture
def outsider(cast):
    return cast.outsider


@pytest.fixture
def area(cast):
    return cast.area


@pytest.fixture
def analyst(cast):
    return cast.analyst


@pytest.fixture
def admin_user(cast):
    return cast.admin_user


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
