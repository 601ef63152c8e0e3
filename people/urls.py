from django.urls import path

from people import auth_views, oidc, views

members = "partnerships/<slug:partnership>/members/"

urlpatterns = [
    path(members, views.members_list, name="members_list"),
    path(f"{members}invite/", views.member_invite, name="member_invite"),
    path(f"{members}<int:pk>/remove/", views.member_remove, name="member_remove"),
    path(f"{members}<int:pk>/speaks-for/", views.member_speaks_for, name="member_speaks_for"),
    path(f"{members}coordinators/", views.coordinator_add, name="coordinator_add"),
    path(
        f"{members}coordinators/<int:pk>/remove/",
        views.coordinator_remove,
        name="coordinator_remove",
    ),
    path(
        f"{members}invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        f"{members}invitations/<int:pk>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path(f"{members}domains/", views.partnership_domains, name="partnership_domains"),
    path(f"{members}agency-names/", views.agency_names, name="agency_names"),
    path(
        f"{members}agency-names/<int:pk>/remove/",
        views.agency_name_remove,
        name="agency_name_remove",
    ),
    path(f"{members}requests/<int:pk>/", views.access_request_decide, name="access_request_decide"),
    # Signing in: the invitation's link and page, and the password reset request (the rest of
    # the reset, and the password change, are Django's, in templates/registration/).
    path("invitation/", auth_views.invitation_accept, name="invitation_accept"),
    path("invitation/<str:token>/", auth_views.invitation_link, name="invitation_link"),
    path(
        "accounts/password_reset/",
        auth_views.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    # Signing in with the organisation's account (off unless OIDC_ISSUER is set: 404). The names
    # are mozilla-django-oidc's.
    path("oidc/authenticate/", oidc.SignInRequestView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.SignInCallbackView.as_view(), name=oidc.CALLBACK),
    # Two-step sign-in for password users, where the installation asks for it.
    path("accounts/two-step/", auth_views.two_step_verify, name="two_step_verify"),
    path("accounts/two-step/set-up/", auth_views.two_step_setup, name="two_step_setup"),
]
