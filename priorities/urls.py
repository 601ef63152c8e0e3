from django.urls import path

from priorities import views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my_work"),
    path(plan, views.plan_detail, name="plan_detail"),
    path(f"{plan}plan.pdf", views.plan_pdf, name="plan_pdf"),
    path(f"{plan}versions/", views.plan_versions, name="plan_versions"),
    path(f"{plan}versions/compare/", views.plan_versions_compare, name="plan_versions_compare"),
    path(f"{plan}versions/<int:number>/", views.plan_version, name="plan_version"),
    path(f"{plan}versions/<int:number>/plan.pdf", views.plan_pdf, name="plan_version_pdf"),
    path(
        f"{plan}versions/<int:number>/plan.<str:fmt>",
        views.plan_version_file,
        name="plan_version_file",
    ),
    path(f"{plan}workspace/", views.plan_workspace, name="plan_workspace"),
    path(f"{plan}readiness/", views.plan_readiness_view, name="plan_readiness"),
    path(f"{plan}agreement/", views.plan_agreement, name="plan_agreement"),
    path(f"{plan}stage/<slug:stage>/", views.plan_stage, name="plan_stage"),
    path(f"{plan}priorities/", views.priority_list, name="priority_list"),
    path(f"{plan}priorities/add/", views.priority_add, name="priority_add"),
    path("priorities/<int:pk>/edit/", views.priority_edit, name="priority_edit"),
    path("priorities/<int:pk>/delete/", views.priority_delete_view, name="priority_delete"),
    path("priorities/<int:pk>/move/", views.priority_move_view, name="priority_move"),
]
