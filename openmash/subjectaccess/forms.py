"""The data protection officer's form: the request first (it is the reason for looking), then the person."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from openmash.people.forms import DateField, NameAndBirthForm
from openmash.subjectaccess.models import SubjectAccessExport
from openmash.ui.forms import column_length


class RequestForm(NameAndBirthForm):
    reference = forms.CharField(
        label="Request reference",
        max_length=column_length(SubjectAccessExport, "reference"),
        help_text="Your council's reference for the subject access request",
        error_messages={"required": "Enter the request's reference"},
    )
    received_on = DateField(
        label="Date the request was received", past_only=True, help_text="For example, 27 11 2026"
    )
    whose = "the person's"
    # The request first (it is the reason for looking), then who it is about.
    field_order = ["reference", "received_on", "given_name", "family_name", "date_of_birth"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Fieldset(
                Field.text("reference", field_width=20),
                Field("received_on"),
                legend="The request",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("given_name"),
                Field.text("family_name"),
                Field("date_of_birth"),
                legend="The person it is about",
                legend_size=Size.MEDIUM,
            ),
            Submit("find", "Find their record"),
        )

    def clean(self):
        data = super().clean() or {}
        for name, message in (
            ("received_on", "Enter the date the request was received"),
            ("date_of_birth", "Enter the person's date of birth"),
        ):
            if name not in self.errors and data.get(name) is None:
                self.add_error(name, message)
        return data
