"""Files in and out: the plan file, the figures file, their formats and commands."""

from django.apps import AppConfig


class PlanfilesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planfiles"
