from django.urls import path

from planfiles import views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path(f"{plan}import/", views.plan_import_view, name="plan_import"),
    path(f"{plan}import/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path(f"{plan}import/cancel/", views.plan_import_cancel, name="plan_import_cancel"),
    path(f"{plan}import/columns/", views.plan_import_columns, name="plan_import_columns"),
    path(f"{plan}import/names/", views.plan_import_names, name="plan_import_names"),
    path(f"{plan}export/<str:fmt>/", views.plan_export_view, name="plan_export"),
    path(
        f"{plan}versions/<int:number>/plan.<str:fmt>",
        views.plan_version_file,
        name="plan_version_file",
    ),
    path(f"{plan}updates.csv", views.progress_updates_csv, name="progress_updates_csv"),
    path(f"{plan}figures.csv", views.plan_figures_csv, name="plan_figures_csv"),
]
