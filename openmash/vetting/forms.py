"""GOV.UK forms for vetting requests. They check shape (a real date, a real time); the services check meaning."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from openmash.events.forms import EARLIEST_DAY, LondonTimes, TimeField, combine
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.forms import DateField
from openmash.ui.forms import column_length
from openmash.vetting.models import VettingOutcome, VettingRequest, VettingRole
from openmash.vetting.services import CERTIFICATE_OUTCOMES, FORCE_STAGES


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


class RequestForm(forms.Form):
    given_name = forms.CharField(
        label="First name",
        max_length=column_length(VettingRequest, "given_name"),
        error_messages={"required": "Enter the person's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=column_length(VettingRequest, "family_name"),
        error_messages={"required": "Enter the person's last name"},
    )
    date_of_birth = DateField(
        label="Date of birth", past_only=True, required=True, help_text="For example, 27 3 1985"
    )
    role = forms.ChoiceField(
        label="What is the check for?",
        choices=VettingRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the person is a prospective foster carer, adopter or household member"
        },
    )
    reference = forms.CharField(
        label="Your reference (optional)",
        max_length=column_length(VettingRequest, "reference"),
        required=False,
    )
    household = forms.CharField(
        label="Household or application (optional)",
        help_text="The fostering household or adoption application the person belongs to",
        max_length=column_length(VettingRequest, "household"),
        required=False,
    )
    placements_blocked = forms.CharField(
        label="Placements waiting on this check (optional)",
        help_text="For example, the children matched with this household",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    force = forms.ModelChoiceField(
        label="Police force doing the local checks",
        queryset=Organisation.objects.filter(kind=OrganisationKind.POLICE).order_by("name"),
        error_messages={"required": "Choose the police force doing the local checks"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].error_messages["required"] = "Enter the person's date of birth"
        self.helper = _helper(
            Field.text("given_name"),
            Field.text("family_name"),
            Field("date_of_birth"),
            Field.radios("role"),
            Field.text("reference", field_width=20),
            Field.text("household"),
            Field.textarea("placements_blocked"),
            Field.select("force"),
        )


class StageForm(LondonTimes, forms.Form):
    """A force's vetting officer moves a request on a stage; blank date and time mean now."""

    stage = forms.ChoiceField(
        label="What has happened?",
        choices=[(stage.value, stage.label) for stage in FORCE_STAGES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what has happened"},
    )
    at_date = DateField(label="Date (leave blank for now)", earliest=EARLIEST_DAY, past_only=True)
    at_time = TimeField(label="Time (leave blank for now)", required=False)
    outcome = forms.ChoiceField(
        label="For a certificate: does it disclose information?",
        choices=[(value, VettingOutcome(value).label) for value in CERTIFICATE_OUTCOMES],
        widget=forms.RadioSelect,
        required=False,
    )
    delay_reason = forms.CharField(
        label="If the certificate is later than 14 days, the reason for the delay",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("stage"),
            Field("at_date"),
            Field.text("at_time", field_width=5),
            Field.radios("outcome"),
            Field.textarea("delay_reason"),
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("at_date")) != bool(data.get("at_time")) and not self.errors:
            self.add_error(
                "at_time" if data.get("at_date") else "at_date",
                "Enter both the date and the time, or neither",
            )
        return data

    def at(self):
        return combine(self.cleaned_data.get("at_date"), self.cleaned_data.get("at_time"))
