"""The Django admin: every model's pages open for the admin, and admin work follows the rules."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from actions.models import Action
from lifecycle.models import Agreement, Reminder
from notifications.models import Digest, Notification, NotificationPreference
from notifications.tasks import send_notification_email
from partners.models import Area, Membership, Partnership
from people.models import AccessRequest, Invitation
from people.two_step import recovery_codes_renew
from tests.factories import MembershipFactory, UserFactory

ADMIN_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def everything(action, coordinator, representative, lead_officer, housing, publish):
    """One object of every registered model."""
    Group.objects.create(name="Coordinators")
    plan = action.priority.plan
    Area.objects.create(name="Staffordshire", slug="staffordshire").partnerships.add(
        plan.partnership
    )
    Agreement.objects.create(
        plan=plan, agency=housing, round=1, decision="agreed", decided_at=timezone.now()
    )
    Reminder.objects.create(
        plan=plan,
        kind="coordinator",
        days_before=14,
        deadline=plan.deadline,
        sent_at=timezone.now(),
    )
    publish(plan)
    # Login throttling's records (django-axes).
    attempt = {"username": "alice", "ip_address": "203.0.113.9", "user_agent": "test"}
    AccessAttempt.objects.create(**attempt, failures_since_start=1, get_data="", post_data="")
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    # Notifications, their preferences and digests, and the task queue (django-tasks-db).
    notification = Notification.objects.create(
        recipient=coordinator,
        kind="plan_published",
        key="plan-1-v1",
        subject="Published",
        body="The plan is published.",
        url="/",
        why="you coordinate the partnership",
    )
    NotificationPreference.objects.create(user=coordinator, kind="plan_published", mode="site")
    Digest.objects.create(user=coordinator, day=timezone.localdate())
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        send_notification_email.enqueue(notification.pk)
    # People: an invitation and a request to join.
    Invitation.objects.create(
        email="new.officer@example.org", agency=housing, created_by=coordinator
    )
    AccessRequest.objects.create(email="someone@example.org", partnership=plan.partnership)
    # Two-step sign-in (django-otp): an authenticator app and recovery codes.
    TOTPDevice.objects.create(user=coordinator, name="Authenticator app", confirmed=True)
    recovery_codes_renew(user=coordinator)
    return action


# Records the admin reads but never writes by hand.
READ_ONLY = {
    "publishedversion",
    "reminder",
    "accessattempt",
    "accesslog",
    "accessfailurelog",
    "notification",
    "digest",
    "dbtaskresult",
    "invitation",
    "accessrequest",
}


def _one(app_label, model_name):
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    return model.objects.order_by("pk").first()


@pytest.mark.parametrize(("app_label", "model_name"), ADMIN_MODELS)
def test_admin_changelist_add_and_change_pages_open(
    client, admin_user, everything, app_label, model_name
):
    client.force_login(admin_user)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code == (403 if model_name in READ_ONLY else 200)
    obj = _one(app_label, model_name)
    assert obj is not None, f"no {model_name} to open"
    change = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
    assert change.status_code == 200


def test_every_domain_model_is_in_the_admin():
    registered = {m._meta.label for m in admin.site._registry}
    assert {
        "partners.Partnership",
        "partners.Agency",
        "partners.Membership",
        "priorities.Theme",
        "priorities.Plan",
        "priorities.Priority",
        "actions.Action",
        "actions.Outcome",
        "auth.User",
    } <= registered


@pytest.mark.parametrize("model", ["partners.agency", "auth.user"])
def test_memberships_are_edited_from_both_the_agency_and_the_user(
    client, admin_user, lead_officer, police, model
):
    client.force_login(admin_user)
    pk = police.pk if model == "partners.agency" else lead_officer.pk
    response = client.get(reverse(f"admin:{model.replace('.', '_')}_change", args=[pk]))
    assert response.status_code == 200
    assert "may_speak_for_agency" in response.content.decode()


def test_admin_adds_a_membership_from_the_agency_page(client, admin_user, police):
    newcomer = UserFactory(username="newcomer")
    client.force_login(admin_user)
    url = reverse("admin:partners_agency_change", args=[police.pk])
    data = {
        "name": police.name,
        "short_name": police.short_name,
        "slug": police.slug,
        "kind": police.kind,
        "active": "on",
        # The agency's other names (an inline of their own): none added here.
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": newcomer.pk,
        "memberships-0-agency": police.pk,
        "memberships-0-may_speak_for_agency": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=newcomer)
    assert membership.agency == police
    assert membership.may_speak_for_agency


def test_partnership_added_in_the_admin_gets_the_default_themes(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:partners_partnership_add"),
        {
            "name": "Cannock Chase CSP",
            "slug": "cannock-chase",
            "themes-TOTAL_FORMS": "0",
            "themes-INITIAL_FORMS": "0",
            "themes-MIN_NUM_FORMS": "0",
            "themes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    partnership = Partnership.objects.get(slug="cannock-chase")
    assert partnership.themes.count() == 4


def test_admin_refuses_an_action_led_by_another_partnerships_agency(
    client, admin_user, priority, other_agency
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:actions_action_add"),
        {
            "priority": priority.pk,
            "lead_agency": other_agency.pk,
            "description": "Joint patrols",
            "status": "proposed",
            "order": "0",
            "outcomes-TOTAL_FORMS": "0",
            "outcomes-INITIAL_FORMS": "0",
            "outcomes-MIN_NUM_FORMS": "0",
            "outcomes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "West Mercia Police is not a member of" in response.content.decode()
    assert not Action.objects.exists()


def test_admin_is_closed_to_partner_officers(client, db):
    officer = MembershipFactory().user
    client.force_login(officer)
    response = client.get(reverse("admin:actions_action_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.fixture
def staff_officer(lead_officer):
    """A partner officer given staff status and the model permissions for actions."""
    from django.contrib.auth.models import Permission

    lead_officer.is_staff = True
    lead_officer.save(update_fields=["is_staff"])
    lead_officer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_action", "change_action", "delete_action"])
    )
    return lead_officer


def test_staff_officer_changes_in_the_admin_only_what_the_rules_allow(
    client, staff_officer, action, priority, other_partnership
):
    from tests.factories import ActionFactory, PlanFactory, PriorityFactory

    foreign = ActionFactory(
        priority=PriorityFactory(plan=PlanFactory(partnership=other_partnership))
    )
    someone_elses = ActionFactory(priority=priority)  # no lead agency: not the officer's
    client.force_login(staff_officer)
    changelist = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert action.description in changelist
    assert foreign.description not in changelist
    assert client.get(reverse("admin:actions_action_change", args=[foreign.pk])).status_code == 302
    mine = client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    assert 'name="_save"' in mine
    theirs = client.get(reverse("admin:actions_action_change", args=[someone_elses.pk]))
    assert 'name="_save"' not in theirs.content.decode()


def test_admin_plan_actions_call_the_same_stage_checks(client, admin_user, action):
    plan = action.priority.plan
    client.force_login(admin_user)
    url = reverse("admin:priorities_plan_changelist")
    response = client.post(url, {"action": "publish", "_selected_action": [plan.pk]}, follow=True)
    page = response.content.decode()
    assert "The plan cannot be published while it is at the draft stage" in page
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert not plan.versions.exists()
    client.post(url, {"action": "send_for_agreement", "_selected_action": [plan.pk]})
    plan.refresh_from_db()
    assert plan.status == "consultation"


def _admin_action_form(action: Action, **changes) -> dict:
    """The admin's change form for an action, as the browser sends it."""
    outcomes = list(action.outcomes.order_by("order", "pk"))
    data = {
        "priority": action.priority_id,
        "theme": action.theme_id or "",
        "lead_agency": action.lead_agency_id or "",
        "supporting_agencies": [a.pk for a in action.supporting_agencies.all()],
        "description": action.description,
        "target_date": action.target_date.isoformat() if action.target_date else "",
        "status": action.status,
        "version": action.version,
        "outcomes-TOTAL_FORMS": str(len(outcomes)),
        "outcomes-INITIAL_FORMS": str(len(outcomes)),
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
    }
    for number, outcome in enumerate(outcomes):
        prefix = f"outcomes-{number}-"
        data |= {
            f"{prefix}id": outcome.pk,
            f"{prefix}action": action.pk,
            f"{prefix}description": outcome.description,
            f"{prefix}measure": outcome.measure,
            f"{prefix}baseline": outcome.baseline,
            f"{prefix}target": outcome.target,
        }
    return data | changes


def test_an_admin_edit_goes_through_the_service_with_one_history_row(client, admin_user, action):
    client.force_login(admin_user)
    url = reverse("admin:actions_action_change", args=[action.pk])
    history_before = action.history.count()
    response = client.post(url, _admin_action_form(action, description="Edited in the admin"))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.description == "Edited in the admin"
    assert action.version == 2  # the version goes up as on the action's page
    assert action.updated_by == admin_user
    assert action.history.count() == history_before + 1
    assert action.history.first().history_user == admin_user


def test_an_admin_edit_from_a_stale_copy_is_refused_like_the_page(client, admin_user, action):
    client.force_login(admin_user)
    url = reverse("admin:actions_action_change", args=[action.pk])
    stale = _admin_action_form(action, description="Edited from a stale copy")
    Action.objects.filter(pk=action.pk).update(version=5)  # someone saved meanwhile
    history_before = action.history.count()
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else saved this action after you opened it" in response.content.decode()
    action.refresh_from_db()
    assert action.description == "Triaging of ASB reports to key agencies"
    assert action.version == 5
    assert action.history.count() == history_before


def test_an_admin_edit_in_consultation_starts_a_new_round(client, admin_user, action):
    from priorities.models import Plan

    plan = action.priority.plan
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONSULTATION, consultation_round=1)
    client.force_login(admin_user)
    url = reverse("admin:actions_action_change", args=[action.pk])
    assert client.post(url, _admin_action_form(action, description="Late edit")).status_code == 302
    plan.refresh_from_db()
    assert plan.consultation_round == 2


def test_an_action_added_in_the_admin_gets_its_outcomes_and_history(
    client, admin_user, priority, police
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:actions_action_add"),
        {
            "priority": priority.pk,
            "lead_agency": police.pk,
            "description": "Joint patrols",
            "status": "proposed",
            "outcomes-TOTAL_FORMS": "1",
            "outcomes-INITIAL_FORMS": "0",
            "outcomes-MIN_NUM_FORMS": "0",
            "outcomes-MAX_NUM_FORMS": "1000",
            "outcomes-0-description": "Fewer incidents",
            "outcomes-0-measure": "",
            "outcomes-0-baseline": "",
            "outcomes-0-target": "",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(description="Joint patrols")
    assert [o.description for o in action.outcomes.all()] == ["Fewer incidents"]
    assert action.created_by == admin_user
    assert action.history.first().history_user == admin_user


def test_the_admin_resets_two_step_sign_in_without_seeing_its_secrets(
    client, admin_user, lead_officer
):
    device = TOTPDevice.objects.create(user=lead_officer, name="Authenticator app", confirmed=True)
    codes = recovery_codes_renew(user=lead_officer)
    client.force_login(admin_user)
    for url in (
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_static_staticdevice_changelist"),
        reverse(
            "admin:otp_static_staticdevice_change", args=[lead_officer.staticdevice_set.get().pk]
        ),
    ):
        html = client.get(url).content.decode()
        assert device.key not in html and codes[0] not in html, url
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=lead_officer).exists()
