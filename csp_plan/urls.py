from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("partners.health")),  # /healthz for load balancers
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("priorities.urls")),
    path("", include("actions.urls")),
    path("", include("actions.tracking_file_urls")),
    path("", include("priorities.assessment_urls")),
    path("", include("actions.plan_file_urls")),
]
