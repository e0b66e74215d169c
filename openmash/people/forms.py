"""Person search and recording forms, in GOV.UK style."""

import datetime as dt

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from openmash.lib.instants import EARLIEST_BIRTH
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, Ethnicity, Person, Sex
from openmash.ui.forms import column_length


class DateField(DateInputField):
    """GOV.UK day, month and year boxes, with GOV.UK wording for the errors."""

    def __init__(self, *, past_only: bool = False, earliest: dt.date = EARLIEST_BIRTH, **kwargs):
        self.past_only = past_only
        self.earliest = earliest
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            raise forms.ValidationError(f"{self.label} must include a day, month and year")
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError as error:
            raise forms.ValidationError(f"{self.label} must be a real date") from error
        if value < self.earliest:
            raise forms.ValidationError(f"{self.label} must be on or after {self.earliest:%-d %B %Y}")
        if self.past_only and value > timezone.localdate():
            raise forms.ValidationError(f"{self.label} must be today or in the past")
        return value


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="First name, last name or both, in any order, or part of a name",
    )
    date_of_birth = DateField(label="Date of birth", help_text="For example, 27 3 2015")
    identifier = forms.CharField(
        label="Identifier",
        required=False,
        max_length=40,
        help_text="NHS number, unique pupil number, council child ID or police person ID",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name"),
            Field("date_of_birth"),
            Field.text("identifier", field_width=20),
            Submit("search", "Search"),
        )

    def clean(self):
        data = super().clean() or {}
        if not self.errors and not (
            data.get("name", "").strip() or data.get("date_of_birth") or data.get("identifier", "").strip()
        ):
            raise forms.ValidationError("Enter a name, a date of birth or an identifier to search for")
        return data


def _councils():
    return Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("name")


class NameAndBirthForm(forms.Form):
    """First name, last name and date of birth, asked alike on every form that says who someone is (a new child,
    a correction, a subject access request); ``whose`` words the errors ("Enter the child's first name")."""

    whose = "the"
    given_name = forms.CharField(label="First name", max_length=column_length(Person, "given_name"))
    family_name = forms.CharField(label="Last name", max_length=column_length(Person, "family_name"))
    date_of_birth = DateField(label="Date of birth", past_only=True, help_text="For example, 27 3 2015")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each form has its own copies of its fields: wording one form's errors leaves the others alone.
        self.fields["given_name"].error_messages["required"] = f"Enter {self.whose} first name"
        self.fields["family_name"].error_messages["required"] = f"Enter {self.whose} last name"


class PersonCreateForm(NameAndBirthForm):
    whose = "the child's"
    sex = forms.ChoiceField(
        choices=Sex.choices,
        widget=forms.RadioSelect,
        initial=Sex.UNKNOWN,
        error_messages={"required": "Choose the child's sex"},
    )
    ethnicity = forms.ChoiceField(choices=Ethnicity.choices, initial=Ethnicity.NOBT)
    nhs_number = forms.CharField(
        label="NHS number (optional)", required=False, max_length=12, help_text="10 digits, like 943 476 5919"
    )
    upn = forms.CharField(label="Unique pupil number (optional)", required=False, max_length=13)
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=column_length(Address, "line_1"),
        error_messages={"required": "Enter the first line of the address"},
    )
    town = forms.CharField(label="Town or city", max_length=column_length(Address, "town"), required=False)
    postcode = forms.CharField(
        label="Postcode",
        max_length=column_length(Address, "postcode"),
        error_messages={"required": "Enter the postcode"},
    )
    council = forms.ModelChoiceField(
        label="Council area",
        queryset=Organisation.objects.none(),
        to_field_name="code",
        help_text="The council with children's services where the child lives",
        error_messages={
            "required": "Choose the council area",
            "invalid_choice": "Choose a council from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        council = self.fields["council"]
        assert isinstance(council, forms.ModelChoiceField)
        council.queryset = _councils()
        # Each option names the council, not its GSS code.
        council.label_from_instance = lambda organisation: organisation.name  # type: ignore[method-assign,assignment]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Fieldset(
                Field.text("given_name"),
                Field.text("family_name"),
                Field("date_of_birth"),
                legend="The child",
                legend_size=Size.MEDIUM,
            ),
            Field.radios("sex", legend_size=Size.SMALL, inline=True),
            Field.select("ethnicity"),
            Fieldset(
                Field.text("nhs_number", field_width=10),
                Field.text("upn", field_width=20),
                legend="Identifiers",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                Field.select("council"),
                legend="Where the child lives",
                legend_size=Size.MEDIUM,
            ),
            Submit("save", "Record child"),
        )
