from django.urls import path

from actions import plan_file_views as views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path(f"{plan}import/", views.plan_import_view, name="plan_import"),
    path(f"{plan}import/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path(f"{plan}import/cancel/", views.plan_import_cancel, name="plan_import_cancel"),
    path(f"{plan}export/<str:fmt>/", views.plan_export_view, name="plan_export"),
]
