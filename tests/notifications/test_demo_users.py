"""Demo users have addresses at example.org, so a newcomer sees the e-mails they would get."""

from django.contrib.auth import get_user_model

from operations.demo import DEMO_USERS


def test_every_demo_user_has_an_example_org_address(demo_plan):
    users = get_user_model().objects.filter(username__in=[row[0] for row in DEMO_USERS])
    assert {user.username: user.email for user in users} == {
        username: f"{username}@example.org" for username, *_ in DEMO_USERS
    }
