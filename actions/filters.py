import django_filters
from django import forms
from django.db.models import Q

from actions.models import Action
from partners.models import Agency
from priorities.models import Plan, Priority, Theme


class ActionFilter(django_filters.FilterSet):
    """The workspace filters: a GET form, so a filtered view is a link to bookmark or share."""

    q = django_filters.CharFilter(method="search", label="Search actions and outcomes")
    priority = django_filters.ModelChoiceFilter(
        queryset=Priority.objects.none(), empty_label="All priorities"
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.none(), empty_label="All themes"
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(),
        method="by_agency",
        label="Agency (lead or supporting)",
        empty_label="All agencies",
    )
    status = django_filters.ChoiceFilter(choices=Action.Status.choices, empty_label="Any status")

    class Meta:
        model = Action
        fields = ["q", "priority", "theme", "agency", "status"]

    def __init__(self, data=None, queryset=None, *, plan: Plan, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["priority"].queryset = plan.priorities.order_by("order", "pk")
        self.filters["theme"].queryset = plan.partnership.themes.order_by("order", "name")
        self.filters["agency"].queryset = plan.partnership.core_agencies.order_by("name")
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(description__icontains=word) | Q(outcomes__description__icontains=word)
            )
        return queryset.distinct() if words else queryset

    def by_agency(self, queryset, name, value):
        return queryset.filter(Q(lead_agency=value) | Q(supporting_agencies=value)).distinct()

    @property
    def is_active(self) -> bool:
        return self.is_bound and any(v not in (None, "") for v in self.form.cleaned_data.values())
