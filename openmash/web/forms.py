"""Helpers shared by the GOV.UK forms of every app."""

from django import forms

from openmash.lib.errors import InvalidInput


def add_service_errors(
    form: forms.Form, error: InvalidInput, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form, against the field they name where the form has it."""
    for key, messages in error.errors.items():
        field = (field_map or {}).get(key, key)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
