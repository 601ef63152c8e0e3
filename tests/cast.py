"""The fixed cast of the tests, built by the factories in tests/factories.py: a Lichfield-like
partnership with a draft plan, and a second partnership to stand outside it.

Each member is made the first time it is asked for (the fixtures of tests/conftest.py ask for
them), so a test makes only the members it uses. A module with many tests on the same world (the
permission and stage matrices) makes its cast ONCE instead (`shared_cast`, tests/conftest.py): the
members are made in a transaction that stays open for the module, every test runs inside it and
rolls back to it, as Django's TestCase.setUpTestData does.
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import Any

import pytest
from django.db import transaction

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


class Cast:
    # -- Agencies and partnerships.

    @cached_property
    def police(self) -> Any:
        return AgencyFactory(name="Staffordshire Police", short_name="Police", slug="police")

    @cached_property
    def council(self) -> Any:
        return AgencyFactory(name="Lichfield District Council", short_name="LDC", slug="ldc")

    @cached_property
    def housing(self) -> Any:
        return AgencyFactory(name="Bromford Housing Group", short_name="Bromford", slug="bromford")

    @cached_property
    def unrelated_agency(self) -> Any:
        """A core agency of the partnership that has nothing to do with the action under test."""
        return AgencyFactory(name="Humankind", short_name="Humankind", slug="humankind")

    @cached_property
    def partnership(self) -> Any:
        return PartnershipFactory(
            name="Lichfield District Community Safety Partnership",
            slug="lichfield",
            core_agencies=[self.police, self.council, self.housing, self.unrelated_agency],
        )

    @cached_property
    def other_agency(self) -> Any:
        return AgencyFactory(name="West Mercia Police", short_name="WMP", slug="west-mercia-police")

    @cached_property
    def other_partnership(self) -> Any:
        return PartnershipFactory(
            name="Tamworth Community Safety Partnership",
            slug="tamworth",
            core_agencies=[self.other_agency],
        )

    @cached_property
    def area(self) -> Any:
        """Staffordshire: the police force and commissioner's area the partnership belongs to."""
        from partners.models import Area

        found = Area.objects.create(name="Staffordshire", slug="staffordshire")
        self.partnership.area = found
        self.partnership.save(update_fields=["area"])
        return found

    # -- The plan.

    @cached_property
    def plan(self) -> Any:
        return PlanFactory(partnership=self.partnership, title="Community Safety Delivery Plan")

    @cached_property
    def priority(self) -> Any:
        return PriorityFactory(plan=self.plan, title="Anti-social Behaviour (ASB)")

    @cached_property
    def action(self) -> Any:
        """An action led by the police and supported by the council, with one outcome."""
        theme = self.partnership.themes.get(name="Early Intervention and Prevention")
        action = ActionFactory(
            priority=self.priority,
            theme=theme,
            lead_agency=self.police,
            description="Triaging of ASB reports to key agencies",
            supporting_agencies=[self.council],
        )
        OutcomeFactory(action=action, description="Quicker more effective responses")
        return action

    # -- The people. Each one is a user with a known password (tests.factories.PASSWORD).

    @cached_property
    def lead_officer(self) -> Any:
        """An officer of the action's lead agency (the police)."""
        return MembershipFactory(user=UserFactory(username="alice"), agency=self.police).user

    @cached_property
    def supporting_officer(self) -> Any:
        """An officer of a supporting agency (the council)."""
        return MembershipFactory(user=UserFactory(username="bob"), agency=self.council).user

    @cached_property
    def unrelated_officer(self) -> Any:
        """An officer of a core agency with no part in the action."""
        return MembershipFactory(
            user=UserFactory(username="charlie"), agency=self.unrelated_agency
        ).user

    @cached_property
    def representative(self) -> Any:
        """A person who speaks for their agency (the housing association)."""
        return MembershipFactory(
            user=UserFactory(username="dana"), agency=self.housing, may_speak_for_agency=True
        ).user

    @cached_property
    def coordinator(self) -> Any:
        user = UserFactory(username="erin")
        self.partnership.coordinators.add(user)
        return user

    @cached_property
    def other_coordinator(self) -> Any:
        user = UserFactory(username="frank")
        self.other_partnership.coordinators.add(user)
        return user

    @cached_property
    def outsider(self) -> Any:
        """An officer of an agency in another partnership only."""
        return MembershipFactory(user=UserFactory(username="grace"), agency=self.other_agency).user

    @cached_property
    def analyst(self) -> Any:
        """A county analyst of the area (the commissioner's office): reads, never changes."""
        user = UserFactory(username="olu")
        self.area.analysts.add(user)
        return user

    @cached_property
    def admin_user(self) -> Any:
        return UserFactory(username="admin", is_staff=True, is_superuser=True)

    # -- A cast made once for a module.

    def make(self, *names: str) -> Cast:
        """Make these members (and those they need) now."""
        for name in names:
            getattr(self, name)
        return self

    def made(self) -> list[Any]:
        """The model instances made so far."""
        return [value for name, value in vars(self).items() if hasattr(value, "refresh_from_db")]

    def refresh(self) -> None:
        """Read every member again: a test before may have changed one in memory (its rows were
        rolled back)."""
        for instance in self.made():
            instance.refresh_from_db()


@contextlib.contextmanager
def shared_rows(django_db_blocker):
    """A transaction open for a whole module: rows made in it are seen by each of the module's
    tests, which runs inside it and rolls back to it (a savepoint), and are rolled back with it
    when the module is done. Django's TestCase.setUpTestData, for pytest."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def shared_cast_fixture(*names: str):
    """A module's `cast` fixture that makes these members once for the whole module (put
    `cast = shared_cast_fixture(...)` in the module): each test gets them read afresh."""

    @pytest.fixture(scope="module", name="_module_cast")
    def _module_cast(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield Cast().make(*names)

    @pytest.fixture(name="cast")
    def cast(_module_cast, db):
        _module_cast.refresh()
        before = set(vars(_module_cast))
        yield _module_cast
        # A member a test made for itself was rolled back with the test: forget it.
        for name in set(vars(_module_cast)) - before:
            delattr(_module_cast, name)

    return _module_cast, cast
