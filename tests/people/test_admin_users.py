"""The admin's people: "Add user" invites by name, e-mail and agency (no password to pass on);
raw permissions are for superusers only, folded under "Groups and permissions"."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from people.models import Invitation
from tests.factories import UserFactory

User = get_user_model()
ADD = reverse("admin:auth_user_add")


@pytest.fixture
def staff(db):
    """An administrator who is not a superuser, allowed to add and change people."""
    user = UserFactory(username="staff", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_user", "change_user", "view_user"])
    )
    return user


def test_add_user_asks_for_name_email_and_agency_not_a_password(client, admin_user):
    client.force_login(admin_user)
    response = client.get(ADD)
    assert response.status_code == 200
    fields = list(response.context["form"].fields)
    assert fields == ["first_name", "last_name", "email", "agency", "may_speak_for_agency"]
    assert 'type="password"' not in response.content.decode()


def test_add_user_sends_an_invitation(
    client, admin_user, housing, partnership, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ADD,
            {
                "first_name": "Nia",
                "last_name": "Officer",
                "email": "new.officer@example.org",
                "agency": housing.pk,
            },
        )
    assert response.status_code == 302
    assert response.url == reverse("admin:auth_user_changelist")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.agency, invitation.partnership) == (
        "new.officer@example.org",
        housing,
        partnership,
    )
    assert invitation.created_by == admin_user
    assert not User.objects.filter(email="new.officer@example.org").exists()
    assert DBTaskResult.objects.filter(task_path="people.tasks.send_invitation").count() == 1


def test_staff_who_are_not_superusers_see_no_raw_permissions(client, staff, lead_officer):
    client.force_login(staff)
    response = client.get(reverse("admin:auth_user_change", args=[lead_officer.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"user_permissions", "groups", "is_superuser"}.isdisjoint(form.fields)
    html = response.content.decode()
    assert "Can add historical action" not in html


def test_staff_cannot_make_themselves_superusers(client, staff):
    client.force_login(staff)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    response = client.post(
        url,
        {
            "username": "staff",
            "first_name": "S",
            "last_name": "T",
            "email": "staff@example.org",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2021-04-01",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302  # saved, without the field it may not change
    staff.refresh_from_db()
    assert staff.first_name == "S"
    assert not staff.is_superuser


def test_superusers_find_them_folded_under_groups_and_permissions(client, admin_user, lead_officer):
    client.force_login(admin_user)
    response = client.get(reverse("admin:auth_user_change", args=[lead_officer.pk]))
    fieldsets = dict(response.context["adminform"].fieldsets)
    assert fieldsets["Groups and permissions"]["fields"] == ("groups", "user_permissions")
    assert "collapse" in fieldsets["Groups and permissions"]["classes"]
    assert "user_permissions" not in fieldsets["Access"]["fields"]
