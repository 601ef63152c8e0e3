from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"

    def ready(self) -> None:
        # Registers the product's permission rules (partners/permissions.py).
        from partners import permissions  # noqa: F401
