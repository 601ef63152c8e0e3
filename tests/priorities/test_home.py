import pytest

from priorities.models import Plan
from tests.factories import UserFactory


def test_home_lists_partnerships_and_published_plans_to_everyone(
    client, plan, other_partnership, publish
):
    publish(plan)
    page = client.get("/").content.decode()
    assert "Lichfield District Community Safety Partnership" in page
    assert "Tamworth Community Safety Partnership" in page
    assert plan.get_absolute_url() in page


def test_home_hides_draft_plans_from_the_public(client, plan):
    page = client.get("/").content.decode()
    assert "Lichfield District Community Safety Partnership" in page
    assert plan.get_absolute_url() not in page


@pytest.mark.parametrize("who", ["lead_officer", "coordinator", "admin_user"])
def test_home_shows_draft_plans_to_members(client, plan, request, who):
    client.force_login(request.getfixturevalue(who))
    assert plan.get_absolute_url() in client.get("/").content.decode()


def test_home_hides_draft_plans_from_other_partnerships(client, plan, outsider):
    client.force_login(outsider)
    assert plan.get_absolute_url() not in client.get("/").content.decode()


def test_home_hides_draft_plans_from_staff_who_are_not_members(client, plan):
    # Being allowed into the Django admin (is_staff) is not membership of a partnership.
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=False)
    client.force_login(staff)
    assert plan.get_absolute_url() not in client.get("/").content.decode()
    assert not Plan.objects.visible_to(staff).filter(pk=plan.pk).exists()
