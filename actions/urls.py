from django.urls import path

from actions import views

urlpatterns = [
    path(
        "plans/<slug:partnership>/<str:period>/actions/add/",
        views.action_add,
        name="action_add",
    ),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", views.action_delete_view, name="action_delete"),
    path("actions/<int:pk>/move/", views.action_move_view, name="action_move"),
    path("actions/<int:pk>/progress/add/", views.progress_add, name="progress_add"),
    path("my-updates-due/", views.my_updates_due, name="my_updates_due"),
    path(
        "plans/<slug:partnership>/<str:period>/dashboard/",
        views.plan_dashboard,
        name="plan_dashboard",
    ),
    path(
        "plans/<slug:partnership>/<str:period>/measures/",
        views.measure_list,
        name="measure_list",
    ),
    path(
        "plans/<slug:partnership>/<str:period>/measures/add/",
        views.measure_form,
        name="measure_add",
    ),
    path(
        "plans/<slug:partnership>/<str:period>/measures/<int:pk>/edit/",
        views.measure_form,
        name="measure_edit",
    ),
    path("measures/<int:pk>/figures/", views.figure_entry, name="figure_entry"),
]
