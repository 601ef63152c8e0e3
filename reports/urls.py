from django.urls import path

from reports import views

plan = "plans/<slug:partnership>/<str:period>/reports/"

urlpatterns = [
    path(plan, views.report_index, name="report_index"),
    path(f"{plan}<int:number>/", views.report_quarterly, name="report_quarterly"),
    path(f"{plan}<int:number>/report.pdf", views.report_quarterly_pdf, name="report_quarterly_pdf"),
    path(
        f"{plan}<int:number>/report.docx", views.report_quarterly_docx, name="report_quarterly_docx"
    ),
    path(f"{plan}annual/", views.report_annual, name="report_annual"),
    path(f"{plan}annual/review.pdf", views.report_annual_pdf, name="report_annual_pdf"),
    path(f"{plan}annual/review.docx", views.report_annual_docx, name="report_annual_docx"),
    path("areas/<slug:area>/", views.area_view, name="area_overview"),
]
