"""GOV.UK forms for joint casework. They check shape (a real date, a real time); the services check meaning."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from openmash.accounts.forms import GovukFormMixin
from openmash.casework.models import (
    InvestigationClosure,
    JointVisit,
    PoliceNeed,
    ProtectionEnd,
    Resolution,
    StageOutcome,
)
from openmash.casework.services import Response
from openmash.events.forms import EARLIEST_DAY, LondonTimes, TimeField, combine
from openmash.people.forms import DateField
from openmash.ui.forms import YesNoField, column_length


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


class _WhenMixin(LondonTimes):
    """A GOV.UK date and a 24-hour time, combined as Europe/London local time."""

    def when(self, date_field: str, time_field: str):
        data = self.cleaned_data  # type: ignore[attr-defined]
        return combine(data.get(date_field), data.get(time_field))


class VisitRequestForm(_WhenMixin, forms.Form):
    planned_date = DateField(label="Date of the visit", earliest=EARLIEST_DAY, required=True)
    planned_time = TimeField(
        label="Time of the visit", error_messages={"required": "Enter the time of the visit"}
    )
    police_needed_because = forms.MultipleChoiceField(
        label="Why is a police officer needed?",
        choices=PoliceNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose why a police officer is needed"},
    )
    address = forms.CharField(
        label="Where (address)", max_length=column_length(JointVisit, "address"), required=False
    )
    purpose = forms.CharField(
        label="What the visit is for",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the visit is for"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_date"].error_messages["required"] = "Enter the date of the visit"
        self.helper = _helper(
            Field("planned_date"),
            Field.text("planned_time", field_width=5),
            Field.checkboxes("police_needed_because"),
            Field.text("address"),
            Field.textarea("purpose"),
        )


class OfficerForm(_WhenMixin, forms.Form):
    officer_name = forms.CharField(
        label="Name of the officer who will attend",
        max_length=column_length(JointVisit, "officer_name"),
        error_messages={"required": "Enter the name of the officer who will attend"},
    )
    attends_date = DateField(label="Date the officer will be there", earliest=EARLIEST_DAY, required=True)
    attends_time = TimeField(
        label="Time the officer will be there",
        error_messages={"required": "Enter the time the officer will be there"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attends_date"].error_messages["required"] = "Enter the date the officer will be there"
        self.helper = _helper(
            Field.text("officer_name", field_width=20),
            Field("attends_date"),
            Field.text("attends_time", field_width=5),
        )


class VisitDoneForm(_WhenMixin, forms.Form):
    visited_date = DateField(label="Date of the visit", earliest=EARLIEST_DAY, past_only=True, required=True)
    visited_time = TimeField(
        label="Time of the visit", error_messages={"required": "Enter the time of the visit"}
    )
    officer_present = YesNoField(
        label="Was a police officer there?",
        required_message="Say whether a police officer was there",
    )
    officer_name = forms.CharField(
        label="Name of the officer who was there (if not the one named)",
        max_length=column_length(JointVisit, "officer_name"),
        required=False,
    )
    outcome = forms.CharField(
        label="What happened on the visit",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what happened on the visit"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_date"].error_messages["required"] = "Enter the date of the visit"
        self.helper = _helper(
            Field("visited_date"),
            Field.text("visited_time", field_width=5),
            Field.radios("officer_present", inline=True),
            Field.text("officer_name", field_width=20),
            Field.textarea("outcome"),
        )


class VisitDeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why the police cannot send an officer",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the police cannot send an officer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason"))


class LoneVisitReviewForm(forms.Form):
    notes = forms.CharField(
        label="What you have done about this lone visit",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you have done about the lone visit"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("notes"))


class ProtectionEndForm(_WhenMixin, forms.Form):
    ended_date = DateField(
        label="Date the child left police protection", earliest=EARLIEST_DAY, past_only=True, required=True
    )
    ended_time = TimeField(
        label="Time the child left police protection",
        error_messages={"required": "Enter the time the child left police protection"},
    )
    how = forms.ChoiceField(
        label="How did the child leave police protection?",
        choices=ProtectionEnd.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the child left police protection"},
    )
    notes = forms.CharField(
        label="Notes (optional)", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    delay_reason = forms.CharField(
        label="Reason for the delay",
        help_text="Needed only if the child was in police protection for more than 72 hours",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_date"].error_messages["required"] = (
            "Enter the date the child left police protection"
        )
        self.helper = _helper(
            Field("ended_date"),
            Field.text("ended_time", field_width=5),
            Field.radios("how"),
            Field.textarea("notes"),
            Field.textarea("delay_reason"),
        )


class ClosureProposeForm(forms.Form):
    police_reference = forms.CharField(
        label="Police reference of the investigation",
        max_length=column_length(InvestigationClosure, "police_reference"),
        error_messages={"required": "Enter the police reference of the investigation"},
    )
    reasons = forms.CharField(
        label="Reasons for closing the investigation",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons for closing the investigation"},
    )
    under_s47_enquiry = YesNoField(
        label="Is the child subject to section 47 enquiries?",
        required_message="Say whether the child is subject to section 47 enquiries",
    )
    injuries_recorded = YesNoField(
        label="Are injuries to the child recorded?",
        required_message="Say whether injuries to the child are recorded",
    )
    share_anyway = forms.BooleanField(
        label="Share this closure with the council even if it does not need the council's agreement",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("police_reference", field_width=20),
            Field.textarea("reasons"),
            Field.radios("under_s47_enquiry", inline=True),
            Field.radios("injuries_recorded", inline=True),
            Field.checkbox("share_anyway"),
        )


class ClosureResponseForm(forms.Form):
    response = forms.ChoiceField(
        label="Does the council agree the investigation can close?",
        choices=Response.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the council agrees or disputes the closure"},
    )
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("response"), Field.textarea("reasons"))


class StageOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome of this stage",
        choices=StageOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it was resolved or is escalated to the next stage"},
    )
    resolution = forms.ChoiceField(
        label="If resolved, what was decided?",
        choices=Resolution.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    notes = forms.CharField(
        label="What was decided at this stage",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was decided at this stage"},
    )
    delay_reason = forms.CharField(
        label="Reason for the delay",
        help_text="Needed only if this stage ran past its deadline",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("outcome"),
            Field.radios("resolution"),
            Field.textarea("notes"),
            Field.textarea("delay_reason"),
        )


class ConcernWindowForm(GovukFormMixin, forms.Form):
    """An area's window for concerns from two or more agencies (one question: the label is the heading)."""

    submit_label = "Save the window"
    days = forms.IntegerField(
        label="How many days apart may two agencies' concerns be and still be raised together?",
        help_text="From 1 to 30 days. Without a figure of the area's own, 7 days.",
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of days, for example 7",
            "invalid": "The number of days must be a whole number, for example 7",
            "min_value": "Enter a number of days from 1 to 30",
            "max_value": "Enter a number of days from 1 to 30",
        },
    )
