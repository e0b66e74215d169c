"""Forms for recording events, in GOV.UK style. They validate shape; the service validates meaning."""

import datetime as dt
import re
from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from openmash.events.models import Event, RiskLevel
from openmash.lib.instants import EARLIEST_EVENT, NonexistentLocalTime, london_to_utc
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.forms import DateField
from openmash.people.models import Person, RelationshipKind
from openmash.ui.forms import YesNoField, column_length

TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


# The first day an event can have happened on (openmash.lib.instants.EARLIEST_EVENT).
EARLIEST_DAY = EARLIEST_EVENT.date()


def _helper(*fields, legend: str = "") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(
        Fieldset(*fields, legend=legend, legend_size=Size.MEDIUM) if legend else Layout(*fields)
    )
    return helper


class TimeField(forms.CharField):
    """A 24-hour time typed as 21:30, as GOV.UK services ask for times."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("help_text", "24-hour clock, for example 21:30")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = TIME.match(value.strip())
        if not match:
            raise forms.ValidationError(f"{self.label} must be a real time, like 21:30")
        return dt.time(int(match.group(1)), int(match.group(2)))


def combine(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A date and a time typed in a form, read as Europe/London wall time by the one rule (london_to_utc).
    A form with ``LondonTimes`` has refused a time the clocks skipped before this is called."""
    if day is None or time is None:
        return None
    return london_to_utc(dt.datetime.combine(day, time))


SKIPPED_HOUR = (
    "{label} did not happen in London: the clocks went forward an hour that night. "
    "Enter the time in British Summer Time, from 02:00"
)


class LondonTimes:
    """Each ``<name>_date`` and ``<name>_time`` pair of a form must be a time that happened in London (the hour
    the clocks skip in spring did not); the hour they repeat in autumn is read as its first, summer time."""

    def clean(self):
        data = super().clean()  # type: ignore[misc]
        for name in list(self.fields):  # type: ignore[attr-defined]
            time_name = name.removesuffix("_date") + "_time"
            if not name.endswith("_date") or time_name not in self.fields:  # type: ignore[attr-defined]
                continue
            try:
                combine(data.get(name), data.get(time_name))
            except NonexistentLocalTime:
                label = self.fields[time_name].label  # type: ignore[attr-defined]
                self.add_error(time_name, SKIPPED_HOUR.format(label=label))  # type: ignore[attr-defined]
        return data


# The domestic-abuse incident, one thing per page (GOV.UK "question pages"): when, where, the risk, what
# happened; then the children and adults ("add another"), then "check your answers". Each page's form checks its
# own answers; nothing is recorded until the officer confirms (recording.views.incident_check).


class IncidentWhenForm(LondonTimes, forms.Form):
    title = "When it happened"
    police_reference = forms.CharField(
        max_length=column_length(Event, "reference"),
        error_messages={"required": "Enter the police reference"},
    )
    occurred_date = DateField(label="Date it happened", past_only=True, required=True, earliest=EARLIEST_DAY)
    occurred_time = TimeField(
        label="Time it happened", error_messages={"required": "Enter the time it happened"}
    )
    reported_date = DateField(label="Date police were told", past_only=True, earliest=EARLIEST_DAY)
    reported_time = TimeField(label="Time police were told", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_date"].error_messages["required"] = "Enter the date it happened"
        self.helper = _helper(
            Field.text("police_reference", field_width=20),
            Field("occurred_date"),
            Field.text("occurred_time", field_width=5),
            Field("reported_date"),
            Field.text("reported_time", field_width=5),
        )

    def clean(self):
        data = super().clean() or {}
        if data.get("reported_date") and not data.get("reported_time") and "reported_time" not in self.errors:
            self.add_error("reported_time", "Enter the time police were told")
        return data


class IncidentWhereForm(forms.Form):
    title = "Where it happened"
    location = forms.CharField(
        label="Address or place", max_length=column_length(Event, "location"), required=False
    )
    postcode = forms.CharField(
        max_length=column_length(Event, "postcode"),
        help_text="It decides which council is told",
        error_messages={"required": "Enter the postcode where it happened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("location"), Field.text("postcode", field_width=10))


class IncidentRiskForm(forms.Form):
    title = "Risk"
    risk_level = forms.ChoiceField(
        label="Risk level (DASH)",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk level"},
    )
    marac = YesNoField(
        label="Referred to MARAC (multi-agency risk assessment conference)?",
        required_message="Say whether it was referred to MARAC",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("risk_level", legend_size=Size.SMALL, inline=True),
            Field.radios("marac", legend_size=Size.SMALL, inline=True),
        )


class IncidentSummaryForm(forms.Form):
    title = "What happened"
    summary = forms.CharField(
        label="What happened",
        help_text="What police found and were told. The council reads this to decide what happens next.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what happened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("summary"))


class AddAnotherForm(forms.Form):
    """The question under an "add another" list: is there another child (or adult) to add?"""

    add_another = YesNoField(label="", required_message="")

    def __init__(self, *args, question: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["add_another"]
        field.label = question
        field.error_messages["required"] = required_message
        self.helper = _helper(Field.radios("add_another", legend_size=Size.MEDIUM, inline=True))


def _names_required(form: forms.Form, who: str) -> None:
    """On a page about one child or adult, their name is the one thing that must be given."""
    for name, words in (("given_name", "first name"), ("family_name", "last name")):
        form.fields[name].required = True
        form.fields[name].error_messages["required"] = f"Enter the {who}'s {words}"


class ChildForm(forms.Form):
    given_name = forms.CharField(
        label="First name", max_length=column_length(Person, "given_name"), required=False
    )
    family_name = forms.CharField(
        label="Last name", max_length=column_length(Person, "family_name"), required=False
    )
    date_of_birth = DateField(label="Date of birth", past_only=True)
    nhs_number = forms.CharField(label="NHS number (if known)", max_length=12, required=False)
    school_urn = forms.CharField(label="School URN (if known)", max_length=8, required=False)
    present = YesNoField(label="Was the child present?", required=False)
    saw_heard = forms.CharField(
        label="What the child saw or heard", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    child_words = forms.CharField(
        label="The child's own words", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        _names_required(self, "child")
        self.helper = _helper(
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field("date_of_birth"),
            Field.text("nhs_number", field_width=10),
            Field.text("school_urn", field_width=10),
            Field.radios("present", legend_size=Size.SMALL, inline=True),
            Field.textarea("saw_heard"),
            Field.textarea("child_words"),
            legend="",
        )

    def clean(self):
        data = super().clean() or {}
        if data.get("date_of_birth") is None and "date_of_birth" not in self.errors:
            self.add_error(
                "date_of_birth", "Enter the child's date of birth (it decides Operation Encompass)"
            )
        return data


class AdultForm(forms.Form):
    """An adult involved, and what they are to each child at the incident: one question a child (the children
    are added before the adults), so a mother's partner is not recorded as every child's parent."""

    given_name = forms.CharField(
        label="First name", max_length=column_length(Person, "given_name"), required=False
    )
    family_name = forms.CharField(
        label="Last name", max_length=column_length(Person, "family_name"), required=False
    )
    date_of_birth = DateField(label="Date of birth", past_only=True)
    harm_role = forms.ChoiceField(
        label="Their part in the incident",
        choices=[("victim", "Victim"), ("person-causing-harm", "Person causing harm"), ("other", "Other")],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, number: int, children: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.children = list(children)
        _names_required(self, "adult")
        prefix = f"{self.prefix}-" if self.prefix else ""
        name = " ".join(
            str(self.data.get(f"{prefix}{part}", "")).strip() for part in ("given_name", "family_name")
        ).strip()
        for place, child in enumerate(children, start=1):
            self.fields[relationship_field(place)] = forms.ChoiceField(
                label=f"What is {name or 'this adult'} to {child}?",
                choices=RelationshipKind.choices,
                widget=forms.RadioSelect,
                required=False,
                help_text="Leave blank if not known: they are linked as a household member",
            )
        self.helper = _helper(
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field("date_of_birth"),
            Field.radios("harm_role", legend_size=Size.SMALL, inline=True),
            *(
                Field.radios(relationship_field(place), legend_size=Size.SMALL)
                for place in range(1, len(children) + 1)
            ),
            legend="",
        )

    @property
    def relationship_words(self) -> list[str]:
        """What they are to each child, in words ("Parent of Zara Quinn"; "Not known" where not given)."""
        kinds = dict(self.relationships())
        labels = dict(RelationshipKind.choices)
        return [
            f"{labels[kinds[place]]} of {child}" if place in kinds else f"Not known what they are to {child}"
            for place, child in enumerate(self.children, start=1)
        ]

    def relationships(self) -> list[tuple[int, str]]:
        """(child's place from 1, kind) for each child whose relationship was given."""
        return [
            (int(name.removeprefix("relationship_")), value)
            for name, value in self.cleaned_data.items()
            if name.startswith("relationship_") and value
        ]


def relationship_field(place: int) -> str:
    """The adult form's field for what they are to the child at ``place`` (from 1)."""
    return f"relationship_{place}"


class LateReasonForm(forms.Form):
    """Asked on check your answers only when a notification will be late: the recorder's own reason, kept
    against its late notice for its managers (recording.services.late_notices)."""

    late_reason = forms.CharField(
        label="Why is this being shared late?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # required (and its length checked) by the service, only when it is late
    )

    def __init__(self, *args, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late_reason"].help_text = hint
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.textarea("late_reason", label_size=Size.MEDIUM))


class PersonEventForm(LondonTimes, forms.Form):
    """Missing, found, police protection, referral or information share about one person already on record."""

    occurred_date = DateField(label="Date", past_only=True, required=True, earliest=EARLIEST_DAY)
    occurred_time = TimeField(label="Time", error_messages={"required": "Enter the time"})
    postcode = forms.CharField(
        label="Postcode where it happened (if known)",
        max_length=column_length(Event, "postcode"),
        required=False,
    )
    summary = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_date"].error_messages["required"] = "Enter the date"
        extra: list = []
        if kind == "police-protection":
            self.fields["designated_officer"] = forms.CharField(max_length=200, required=False)
            self.fields["reasons"] = forms.CharField(
                label="Why the child was taken into police protection",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            self.fields["alternatives_discussed"] = YesNoField(
                label="Were alternatives discussed with the council?",
                required=False,
            )
            self.fields["alternatives_discussed_with"] = forms.CharField(
                label="Who at the council (if discussed)", max_length=200, required=False
            )
            extra = [
                Field.text("designated_officer"),
                Field.textarea("reasons"),
                Field.radios("alternatives_discussed", legend_size=Size.SMALL, inline=True),
                Field.text("alternatives_discussed_with"),
            ]
        if kind in ("referral", "information-share"):
            self.fields["recipient"] = forms.ModelChoiceField(
                label="Council to refer to" if kind == "referral" else "Organisation to share with",
                queryset=Organisation.objects.filter(kind=OrganisationKind.COUNCIL)
                if kind == "referral"
                else Organisation.objects.exclude(kind__in=[OrganisationKind.NHS_REGION]),
                to_field_name="code",
                error_messages={
                    "required": "Choose who to send it to",
                    "invalid_choice": "Choose an organisation from the list",
                },
            )
            extra = [Field.select("recipient")]
        self.helper = _helper(
            Field("occurred_date"),
            Field.text("occurred_time", field_width=5),
            Field.text("postcode", field_width=10),
            *extra,
            Field.textarea("summary"),
        )
