from django.urls import path

from actions import views

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path(
        "plans/<slug:partnership>/<str:period>/actions/add/",
        views.action_add,
        name="action_add",
    ),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", views.action_delete_view, name="action_delete"),
    path("actions/<int:pk>/move/", views.action_move_view, name="action_move"),
]
