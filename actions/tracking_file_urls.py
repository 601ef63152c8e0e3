from django.urls import path

from actions import tracking_file_views as views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path(f"{plan}updates.csv", views.progress_updates_csv, name="progress_updates_csv"),
    path(f"{plan}figures.csv", views.plan_figures_csv, name="plan_figures_csv"),
    path("actions/<int:pk>/services/", views.action_services, name="action_services"),
    path(
        "actions/<int:pk>/services/<int:service_pk>/remove/",
        views.action_service_remove,
        name="action_service_remove",
    ),
]
