from django.urls import path

from lifecycle import assessment_views, home_views, views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path("", home_views.home, name="home"),
    path(plan, views.plan_detail, name="plan_detail"),
    path(f"{plan}plan.pdf", views.plan_pdf, name="plan_pdf"),
    path(f"{plan}draft.pdf", views.plan_draft_pdf, name="plan_draft_pdf"),
    path(f"{plan}versions/", views.plan_versions, name="plan_versions"),
    path(f"{plan}versions/compare/", views.plan_versions_compare, name="plan_versions_compare"),
    path(f"{plan}versions/<int:number>/", views.plan_version, name="plan_version"),
    path(f"{plan}versions/<int:number>/plan.pdf", views.plan_pdf, name="plan_version_pdf"),
    path(f"{plan}workspace/", views.plan_workspace, name="plan_workspace"),
    path(f"{plan}readiness/", views.plan_readiness_view, name="plan_readiness"),
    path(f"{plan}agreement/", views.plan_agreement, name="plan_agreement"),
    path(f"{plan}agreement/meeting/", views.plan_meeting, name="plan_meeting"),
    path(f"{plan}stage/<slug:stage>/", views.plan_stage, name="plan_stage"),
    # The Strategic Assessment (tracking's): members read it with the draft, the public once
    # the plan is published, with the priorities as published.
    path(f"{plan}assessment/", assessment_views.assessment_detail, name="assessment_detail"),
    path(f"{plan}assessment/edit/", assessment_views.assessment_edit, name="assessment_edit"),
    path(f"{plan}assessment.pdf", assessment_views.assessment_pdf, name="assessment_pdf"),
]
