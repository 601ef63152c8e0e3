"""The plan's life: readiness, agreement, publication, versions, the public pages, reminders."""

from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lifecycle"

    def ready(self) -> None:
        from lifecycle import notices, public_cache, published_files
        from lifecycle.pdf import PDF_DRAWER
        from priorities.signals import consultation_round_started

        consultation_round_started.connect(
            notices.on_round_started, dispatch_uid="lifecycle-round-cleared"
        )
        published_files.register(PDF_DRAWER)
        public_cache.connect_signals()
