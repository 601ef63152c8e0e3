"""Every row of the product's tables, to compare before and after something that must change
nothing (or something)."""

from django.apps import apps

# Every app of the product that keeps data (docs/architecture.md).
PRODUCT_APPS = (
    "partners",
    "priorities",
    "actions",
    "tracking",
    "lifecycle",
    "people",
    "planfiles",
)


def database_snapshot() -> dict[str, list[dict]]:
    """Every row of the product's tables, history included."""
    snapshot = {}
    for label in PRODUCT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            snapshot[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return snapshot
