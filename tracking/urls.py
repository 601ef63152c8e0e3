from django.urls import path

from tracking import views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path("actions/<int:pk>/progress/add/", views.progress_add, name="progress_add"),
    path("my-updates-due/", views.my_updates_due, name="my_updates_due"),
    path(f"{plan}dashboard/", views.plan_dashboard, name="plan_dashboard"),
    path(f"{plan}reporting/", views.reporting_calendar, name="reporting_calendar"),
    path(f"{plan}funding/", views.plan_funding, name="plan_funding"),
    path(f"{plan}updates/", views.update_my_actions, name="update_my_actions"),
    path(f"{plan}measures/", views.measure_list, name="measure_list"),
    path(f"{plan}measures/add/", views.measure_form, name="measure_add"),
    path(f"{plan}measures/<int:pk>/edit/", views.measure_form, name="measure_edit"),
    path("measures/<int:pk>/figures/", views.figure_entry, name="figure_entry"),
    path("actions/<int:pk>/services/", views.action_services, name="action_services"),
    path(
        "actions/<int:pk>/services/<int:service_pk>/remove/",
        views.action_service_remove,
        name="action_service_remove",
    ),
]
