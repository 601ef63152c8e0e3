from django.urls import path

from priorities import assessment_views as views

plan = "plans/<slug:partnership>/<str:period>/"

urlpatterns = [
    path(f"{plan}assessment/", views.assessment_detail, name="assessment_detail"),
    path(f"{plan}assessment/edit/", views.assessment_edit, name="assessment_edit"),
    path(f"{plan}assessment.pdf", views.assessment_pdf, name="assessment_pdf"),
]
