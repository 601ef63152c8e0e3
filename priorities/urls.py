from django.urls import path

from priorities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:partnership>/<str:period>/", views.plan_detail, name="plan_detail"),
]
