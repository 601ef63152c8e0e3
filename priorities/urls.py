from django.urls import path

from priorities import views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path(f"{plan}priorities/", views.priority_list, name="priority_list"),
    path(f"{plan}priorities/add/", views.priority_add, name="priority_add"),
    path("priorities/<int:pk>/edit/", views.priority_edit, name="priority_edit"),
    path("priorities/<int:pk>/delete/", views.priority_delete_view, name="priority_delete"),
    path("priorities/<int:pk>/move/", views.priority_move_view, name="priority_move"),
]
