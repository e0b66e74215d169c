"""The pages an area's administrator grants inspection access on: which inspectorate (one question), then the
team, the times and why (a short form), then check your answers. They check shape; the service decides."""

from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from openmash.access.models import Inspection
from openmash.accounts.models import User
from openmash.events.forms import LondonTimes, TimeField, combine
from openmash.organisations.models import Organisation
from openmash.people.forms import DateField
from openmash.ui.forms import column_length


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


class InspectorateForm(forms.Form):
    inspectorate = forms.ChoiceField(
        label="Which inspectorate is the team from?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the inspectorate"},
    )

    def __init__(self, *args, inspectorates: Sequence[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inspectorate"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(org.pk), org.name) for org in inspectorates]
        self.helper = _helper(Field.radios("inspectorate", legend_size=Size.LARGE, legend_tag="h1"))


class TeamAndTimesForm(LondonTimes, forms.Form):
    team = forms.MultipleChoiceField(
        label="Inspectors in the team",
        help_text="Only the inspectors you select can see the area. Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one inspector for the team"},
    )
    starts_date = DateField(label="Date access starts", required=True, help_text="For example, 7 12 2026")
    starts_time = TimeField(
        label="Time access starts", error_messages={"required": "Enter the time access starts"}
    )
    ends_date = DateField(label="Date access ends", required=True, help_text="For example, 18 12 2026")
    ends_time = TimeField(label="Time access ends", error_messages={"required": "Enter the time access ends"})
    reference = forms.CharField(
        label="Inspection reference",
        max_length=column_length(Inspection, "reference"),
        error_messages={"required": "Enter the inspection's reference"},
    )
    reason = forms.CharField(
        label="Why the team needs access",
        help_text="For example, the inspection of local authority children's services, with its dates",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the team needs access"},
    )

    def __init__(self, *args, inspectors: Sequence[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_date"].error_messages["required"] = "Enter the date access starts"
        self.fields["ends_date"].error_messages["required"] = "Enter the date access ends"
        team = self.fields["team"]
        assert isinstance(team, forms.MultipleChoiceField)
        team.choices = [(str(user.pk), f"{user.get_full_name()} ({user.username})") for user in inspectors]
        self.helper = _helper(
            Field.checkboxes("team", legend_size=Size.MEDIUM),
            Field("starts_date"),
            Field.text("starts_time", field_width=5),
            Field("ends_date"),
            Field.text("ends_time", field_width=5),
            Field.text("reference", field_width=20),
            Field.textarea("reason"),
        )

    def times(self):
        data = self.cleaned_data
        return (
            combine(data.get("starts_date"), data.get("starts_time")),
            combine(data.get("ends_date"), data.get("ends_time")),
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is access ending early?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why access is ending early"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason", label_size=Size.MEDIUM))
