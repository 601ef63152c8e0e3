"""Through the year: progress, measures and figures, dashboard, funding, Strategic Assessment."""

from django.apps import AppConfig


class TrackingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracking"
