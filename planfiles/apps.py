"""Files in and out: the plan file, the figures file, their formats and commands."""

from django.apps import AppConfig


class PlanfilesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planfiles"

    def ready(self) -> None:
        from lifecycle.published_files import Drawer, register
        from planfiles.exporter import version_docx, version_docx_filename
        from planfiles.format import CONTENT_TYPES

        # A published version's Word document is drawn once, when it is published, beside its
        # PDF, and served from storage (lifecycle/published_files.py).
        register(
            Drawer(
                kind="docx",
                content_type=CONTENT_TYPES["docx"],
                disposition="attachment",
                filename=version_docx_filename,
                draw=version_docx,
                description="Word document",
            )
        )
