from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("", include("operations.health")),  # /healthz for load balancers
    path("admin/", admin.site.urls),
    # Before Django's accounts/ pages: the password reset request is people's (its e-mail goes
    # through the worker, throttled).
    path("", include("people.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("priorities.urls")),
    path("", include("notifications.urls")),
    path("", include("actions.urls")),
    path("", include("tracking.urls")),
    # Before planfiles: …/versions/<n>/plan.pdf is the PDF, not a plan file of the kind "pdf".
    path("", include("lifecycle.urls")),
    path("", include("planfiles.urls")),
    path("", include("reports.urls")),
]

# A 403 says what the person lacks and names the coordinators who can help.
handler403 = "partners.errors.permission_denied"
