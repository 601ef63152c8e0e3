"""Form helpers for templates: the error summary at the top of a page."""

from dataclasses import dataclass

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@dataclass
class ErrorLink:
    anchor: str  # the id of the field to jump to; empty for errors of the whole form
    label: str
    message: str


def _anchor(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def _form_errors(form, prefix_label: str = "") -> list[ErrorLink]:
    links = []
    for name, errors in form.errors.items():
        for message in errors:
            if name == NON_FIELD_ERRORS:
                links.append(ErrorLink("", prefix_label.strip(), str(message)))
            else:
                bound = form[name]
                links.append(
                    ErrorLink(_anchor(bound), f"{prefix_label}{bound.label}", str(message))
                )
    return links


@register.simple_tag
def error_summary(*forms_and_formsets) -> list[ErrorLink]:
    """Every error of the given forms and formsets, each linked to its field."""
    links: list[ErrorLink] = []
    for item in forms_and_formsets:
        if item is None or item == "":  # a template variable that was not given
            continue
        if isinstance(item, forms.BaseFormSet):
            links += [ErrorLink("", "", str(message)) for message in item.non_form_errors()]
            for number, form in enumerate(item.forms, start=1):
                links += _form_errors(form, f"Outcome {number}: ")
        else:
            links += _form_errors(item)
    return links
