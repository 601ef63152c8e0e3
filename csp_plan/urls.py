from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("", include("partners.health")),  # /healthz for load balancers
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("priorities.urls")),
    path("", include("actions.urls")),
    path("", include("actions.tracking_file_urls")),
    path("", include("priorities.assessment_urls")),
    path("", include("actions.plan_file_urls")),
]
