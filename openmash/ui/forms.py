"""Helpers shared by the GOV.UK forms of every app."""

from django import forms
from django.db import models

from openmash.lib.errors import InvalidInput


def column_length(model: type[models.Model], name: str) -> int:
    """The most characters ``model.name``'s column holds: a text field's max_length is read from there, so a
    form refuses what the database would (PostgreSQL) or keep beyond its declared size (SQLite)."""
    return model._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.TypedChoiceField):
    """A GOV.UK yes-or-no question (radios): its answer is True or False, or None if optional and unanswered."""

    def __init__(self, *, label: str, required_message: str = "", **kwargs) -> None:
        if required_message:
            kwargs["error_messages"] = {"required": required_message}
        super().__init__(
            label=label,
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )


def add_service_errors(
    form: forms.Form, error: InvalidInput, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form, against the field they name where the form has it."""
    for key, messages in error.errors.items():
        field = (field_map or {}).get(key, key)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def error_summary_target(bound: forms.BoundField) -> str:
    """The id an error summary links to: the field, or the first input of a radio or checkbox group (crispy-forms-gds
    numbers its options from 1) or of a date's day, month and year."""
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound.auto_id}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def _who(form: forms.Form) -> str:
    """Whom a prefixed form on a page of several is about ("child1" is "Child 1"), for its summary's messages."""
    prefix = form.prefix or ""
    name = prefix.rstrip("0123456789")
    if not name.isalpha() or name == prefix:
        return ""
    return f"{name.capitalize()} {prefix[len(name) :]}"


def error_summary_items(*forms_: forms.Form) -> list[tuple[str, str]]:
    """(link target, message) for every error of every form on a page, for one GOV.UK error summary. Each link
    reaches a control; where a page has a form for each child or adult, each message says which one it is about."""
    items: list[tuple[str, str]] = []
    for form in forms_:
        fields = list(form.visible_fields())
        who = _who(form)
        for message in form.non_field_errors():
            target = f"#{error_summary_target(fields[0])}" if fields else "#main-content"
            items.append((target, f"{who}: {message}" if who else str(message)))
        for bound in fields:
            for message in bound.errors:
                items.append(
                    (f"#{error_summary_target(bound)}", f"{who}: {message}" if who else str(message))
                )
    return items
