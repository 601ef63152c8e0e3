"""Leavers: removed by the coordinator (or their agency's representative), their account closed,
never deleted: they cannot sign in, the history still names them, and the coordinator is shown
the work they left (actions their agency leads with nobody else, answers awaited from an agency
nobody else speaks for)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.history import action_history
from actions.services import action_update
from partners.models import Membership
from people import services
from priorities.models import Plan
from tests.factories import PASSWORD, ActionFactory, MembershipFactory, UserFactory

User = get_user_model()


@pytest.fixture
def bromford_work(plan, priority, housing, partnership):
    """An action Bromford leads, and the plan in consultation awaiting Bromford's answer."""
    theme = partnership.themes.first()
    action = ActionFactory(
        priority=priority, theme=theme, lead_agency=housing, description="Estate walkabouts"
    )
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONSULTATION, consultation_round=1)
    return action


def remove_url(membership):
    return reverse("member_remove", args=["lichfield", membership.pk])


def test_a_leaver_is_deactivated_cannot_sign_in_and_history_still_names_them(
    client, coordinator, representative, bromford_work
):
    action = action_update(
        action=bromford_work,
        user=representative,
        expected_version=bromford_work.version,
        description="Estate walkabouts every month",
    )
    membership = representative.memberships.get()
    client.force_login(coordinator)

    response = client.post(remove_url(membership))

    assert response.status_code == 302
    representative.refresh_from_db()
    assert representative.is_active is False
    assert User.objects.filter(pk=representative.pk).exists()  # never deleted
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # Cannot sign in: the same answer as a wrong password.
    client.logout()
    refused = client.post(reverse("login"), {"username": "dana", "password": PASSWORD})
    assert refused.status_code == 200
    assert "did not match" in refused.content.decode()
    # Their edit is still theirs.
    name = representative.get_full_name()
    assert [entry.who for entry in action_history(action.pk)][0] == name
    # The members page records who removed whom, and why.
    client.force_login(coordinator)
    page = client.get(reverse("members_list", args=["lichfield"]))
    (change,) = [c for c in page.context["page"].changes if "removed" in c.what]
    assert change.who == coordinator.get_full_name()
    assert (
        change.what == f"{name} was removed from Bromford Housing Group (has left: account closed)"
    )


def test_a_signed_in_leaver_is_signed_out(client, coordinator, representative):
    membership = representative.memberships.get()
    client.force_login(representative)
    assert client.get(reverse("my_work")).status_code == 200

    services.member_remove(by=coordinator, membership=membership)

    response = client.get(reverse("my_work"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_coordinator_is_shown_the_work_the_leaver_leaves(
    client, coordinator, representative, bromford_work
):
    client.force_login(coordinator)
    confirm = client.get(remove_url(representative.memberships.get()))
    html = confirm.content.decode()
    assert "Work nobody will be left to do" in html
    assert "Estate walkabouts" in html
    assert "Nobody is left to speak for Bromford Housing Group" in html
    assert "their account will be closed" in html

    response = client.post(remove_url(representative.memberships.get()), follow=True)

    html = response.content.decode()
    assert "is no longer a member of Bromford Housing Group" in html
    assert "Their account is closed" in html
    unattended = {work.agency.name: work for work in response.context["page"].unattended}
    work = unattended["Bromford Housing Group"]
    assert work.actions == [bromford_work]
    assert [plan.pk for plan in work.answers] == [bromford_work.priority.plan_id]
    assert 'id="work-left"' in html


def test_no_work_is_left_when_the_agency_keeps_someone(
    client, coordinator, representative, housing, bromford_work
):
    MembershipFactory(user=UserFactory(username="henry"), agency=housing, may_speak_for_agency=True)
    client.force_login(coordinator)
    confirm = client.get(remove_url(representative.memberships.get()))
    assert confirm.context["work"] == []
    assert "keeps other people for its work" in confirm.content.decode()


def test_an_agency_with_no_representative_left_still_owes_its_answer_not_its_actions(
    coordinator, representative, housing, bromford_work, partnership
):
    from people.selectors import work_left

    MembershipFactory(user=UserFactory(username="henry"), agency=housing)  # an officer, no voice
    (work,) = work_left(partnership=partnership, agencies=[housing], without=representative)
    assert work.actions == []
    assert [plan.pk for plan in work.answers] == [bromford_work.priority.plan_id]


def test_an_answered_agency_owes_nothing(coordinator, representative, housing, bromford_work):
    from lifecycle.models import Agreement
    from people.selectors import work_left

    plan = bromford_work.priority.plan
    Agreement.objects.create(
        plan=plan, agency=housing, round=1, decision="agreed", decided_at=timezone.now()
    )
    bromford_work.status = "completed"
    bromford_work.save()
    assert work_left(partnership=plan.partnership, agencies=[housing], without=representative) == []


def test_someone_who_belongs_elsewhere_keeps_their_account(coordinator, representative, police):
    MembershipFactory(user=representative, agency=police)
    closed = services.member_remove(
        by=coordinator, membership=representative.memberships.get(agency__slug="bromford")
    )
    assert closed is False
    representative.refresh_from_db()
    assert representative.is_active


def test_nobody_removes_themselves(representative):
    with pytest.raises(ValidationError, match="cannot remove yourself"):
        services.member_remove(by=representative, membership=representative.memberships.get())
    assert representative.memberships.exists()


def test_the_last_coordinator_stays(coordinator, partnership, admin_user):
    with pytest.raises(ValidationError, match="needs a coordinator"):
        services.coordinator_remove(by=admin_user, partnership=partnership, person=coordinator)
    assert partnership.coordinators.filter(pk=coordinator.pk).exists()


def test_a_coordinator_who_belongs_nowhere_else_leaves_when_they_stop_coordinating(
    coordinator, partnership, admin_user
):
    other = UserFactory(username="olga")
    partnership.coordinators.add(other)
    assert services.coordinator_remove(by=admin_user, partnership=partnership, person=other)
    other.refresh_from_db()
    assert not other.is_active


def test_an_administrators_account_stays_open(coordinator, housing):
    admin_member = MembershipFactory(
        user=UserFactory(username="it.person", is_staff=True), agency=housing
    )
    assert services.member_remove(by=coordinator, membership=admin_member) is False
    admin_member.user.refresh_from_db()
    assert admin_member.user.is_active
