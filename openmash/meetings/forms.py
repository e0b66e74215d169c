"""GOV.UK forms for meetings. They check shape; the services decide what is allowed."""

from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from openmash.events.forms import EARLIEST_DAY, LondonTimes, TimeField
from openmash.meetings.models import AbuseCategory, Meeting, MeetingInvitation, MeetingKind, Participation
from openmash.organisations.models import Organisation
from openmash.people.forms import DateField
from openmash.ui.forms import YesNoField, column_length


def _helper(layout: Layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = layout
    return helper


def _when_fields(form: forms.Form, prefix: str, what: str, *, past_only: bool) -> None:
    form.fields[f"{prefix}_date"] = DateField(
        label=f"Date {what}",
        earliest=EARLIEST_DAY,
        past_only=past_only,
        required=True,
        help_text="For example, 27 3 2026",
    )
    form.fields[f"{prefix}_date"].error_messages["required"] = f"Enter the date {what}"
    form.fields[f"{prefix}_time"] = TimeField(
        label=f"Time {what}", error_messages={"required": f"Enter the time {what}"}
    )


class ScheduleForm(LondonTimes, forms.Form):
    """Convene a strategy discussion or schedule a conference."""

    location = forms.CharField(
        label="Where (or how: video call)", max_length=column_length(Meeting, "location"), required=False
    )
    purpose = forms.CharField(
        label="What the agencies need to know beforehand",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    invited = forms.MultipleChoiceField(
        label="Also invite", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args,
        kind: str,
        always: Sequence[Organisation],
        chosen_from: Sequence[Organisation],
        earlier: Sequence[Meeting] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        _when_fields(self, "scheduled", "of the meeting", past_only=False)
        invited = self.fields["invited"]
        assert isinstance(invited, forms.MultipleChoiceField)
        invited.choices = [(str(org.pk), f"{org.name} ({org.get_kind_display()})") for org in chosen_from]
        invited.help_text = "Always invited: " + (
            ", ".join(org.name for org in always) or "no police force covers this council"
        )
        fields = [Field("scheduled_date"), Field.text("scheduled_time", field_width=5)]
        if kind in (MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE):
            required = kind == MeetingKind.INITIAL_CONFERENCE
            self.fields["strategy_discussion"] = forms.ChoiceField(
                label="Strategy discussion at which section 47 enquiries started",
                choices=[(str(m.pk), _meeting_label(m)) for m in earlier],
                widget=forms.RadioSelect,
                required=required,
                error_messages={"required": "Choose the strategy discussion"},
            )
            fields.append(Field.radios("strategy_discussion", legend_size=Size.SMALL))
        if kind == MeetingKind.REVIEW_CONFERENCE:
            self.fields["previous"] = forms.ChoiceField(
                label="Previous conference",
                choices=[(str(m.pk), _meeting_label(m)) for m in earlier],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose the previous conference"},
            )
            fields.append(Field.radios("previous", legend_size=Size.SMALL))
        fields += [
            Field.text("location"),
            Field.checkboxes("invited", legend_size=Size.SMALL, small=True),
            Field.textarea("purpose"),
        ]
        self.helper = _helper(Layout(*fields))


def _meeting_label(meeting: Meeting) -> str:
    when = meeting.held_at or meeting.scheduled_for
    return f"{meeting.get_kind_display()} {meeting.reference}, {when:%-d %B %Y}"


class ReportForm(forms.Form):
    text = forms.CharField(
        label="Your agency's report",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What your agency knows about the child and family. Send it before the meeting.",
        error_messages={"required": "Enter your agency's report"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Layout(Field.textarea("text")))


class HeldForm(LondonTimes, forms.Form):
    """When a meeting was held and whether each agency took part; subclasses add the outcome."""

    actions = forms.CharField(label="Actions", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    delay_reason = forms.CharField(
        label="Reason for the delay",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The meeting was later than its statutory deadline: say why.",
    )

    def __init__(self, *args, organisations: Sequence[Organisation], show_delay: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        _when_fields(self, "held", "it was held", past_only=True)
        for organisation in self.organisations:
            self.fields[f"participation_{organisation.pk}"] = forms.ChoiceField(
                label=f"Did {organisation.name} take part?",
                choices=Participation.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether {organisation.name} took part"},
            )
            self.fields[f"reason_{organisation.pk}"] = forms.CharField(
                label=f"Reason {organisation.name} did not attend",
                required=False,
                help_text="Needed unless the agency attended",
            )
        self.show_delay(show_delay)

    def outcome_fields(self) -> list:
        return []

    def clean(self):
        # The service decides; asking here too shows every missing reason in one round.
        data = super().clean() or {}
        for organisation in self.organisations:
            taken_part = data.get(f"participation_{organisation.pk}")
            if (
                taken_part
                and taken_part != Participation.ATTENDED
                and not data.get(f"reason_{organisation.pk}")
            ):
                self.add_error(
                    f"reason_{organisation.pk}", f"Give the reason {organisation.name} did not attend"
                )
        return data

    def show_delay(self, show: bool) -> None:
        fields: list = [Field("held_date"), Field.text("held_time", field_width=5)]
        if show:
            fields.append(Field.textarea("delay_reason"))
        attendance = [
            Fieldset(
                Field.radios(f"participation_{org.pk}", legend_size=Size.SMALL),
                Field.text(f"reason_{org.pk}"),
                legend=org.name,
                legend_size=Size.SMALL,
            )
            for org in self.organisations
        ]
        self.helper = _helper(
            Layout(
                Fieldset(*fields, legend="When", legend_size=Size.MEDIUM),
                Fieldset(*attendance, legend="Who took part", legend_size=Size.MEDIUM),
                Fieldset(
                    *self.outcome_fields(),
                    Field.textarea("actions"),
                    legend="Outcome",
                    legend_size=Size.MEDIUM,
                ),
            )
        )

    def field_for(self, key: str) -> str:
        """The form field a service error names (attendance.12.reason -> reason_12)."""
        parts = key.split(".")
        if parts[0] == "attendance" and len(parts) == 3:
            return f"{parts[2]}_{parts[1]}" if parts[2] == "reason" else f"participation_{parts[1]}"
        return {"held_at": "held_date"}.get(key, key)


class StrategyDiscussionOutcomeForm(HeldForm):
    s47_decision = YesNoField(
        label="Are section 47 enquiries to start?",
        required_message="Say whether section 47 enquiries are to start",
    )
    decision_reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reasons for the decision"},
    )
    s47_started_on = DateField(
        label="Date section 47 enquiries started", earliest=EARLIEST_DAY, past_only=True
    )
    evidential_interview = YesNoField(
        label="Is an evidential (joint) interview needed?",
        initial="no",
    )
    evidential_interview_target = DateField(label="Evidential interview to happen by", earliest=EARLIEST_DAY)

    def outcome_fields(self) -> list:
        return [
            Field.radios("s47_decision", legend_size=Size.SMALL, inline=True),
            Field.textarea("decision_reasons"),
            Field("s47_started_on"),
            Field.radios("evidential_interview", legend_size=Size.SMALL, inline=True),
            Field("evidential_interview_target"),
        ]


class ConferenceOutcomeForm(HeldForm):
    plan = YesNoField(
        label="Is the child to be the subject of a child protection plan?",
        required_message="Say whether the child is to be the subject of a child protection plan",
    )
    categories = forms.MultipleChoiceField(
        label="Category of abuse",
        choices=AbuseCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose multiple on its own, or each category that applies",
    )

    def outcome_fields(self) -> list:
        return [
            Field.radios("plan", legend_size=Size.SMALL, inline=True),
            Field.checkboxes("categories", legend_size=Size.SMALL, small=True),
        ]


class InterviewForm(LondonTimes, forms.Form):
    held = YesNoField(
        label="Did the evidential interview happen?",
        required_message="Say whether the interview happened",
    )
    held_date = DateField(label="Date of the interview", earliest=EARLIEST_DAY, past_only=True)
    held_time = TimeField(label="Time of the interview", required=False)
    not_held_reason = forms.CharField(
        label="Why it did not happen", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(
                Field.radios("held", legend_size=Size.SMALL, inline=True),
                Field("held_date"),
                Field.text("held_time", field_width=5),
                Field.textarea("not_held_reason"),
            )
        )


def invitation_label(invitation: MeetingInvitation) -> str:
    return f"{invitation.organisation.name} ({invitation.role_expected})"


class RescheduleForm(LondonTimes, forms.Form):
    """Move a meeting: the new date and time, where (kept unless changed), and why (optional)."""

    location = forms.CharField(
        label="Where (or how: video call)", max_length=column_length(Meeting, "location"), required=False
    )
    reason = forms.CharField(
        label="Why it has moved (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Every agency invited is told.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _when_fields(self, "scheduled", "of the meeting", past_only=False)
        self.fields["scheduled_date"].label = "New date"
        self.fields["scheduled_date"].error_messages["required"] = "Enter the new date of the meeting"
        self.fields["scheduled_time"].label = "New time"
        self.fields["scheduled_time"].error_messages["required"] = "Enter the new time of the meeting"
        self.helper = _helper(
            Layout(
                Field("scheduled_date"),
                Field.text("scheduled_time", field_width=5),
                Field.text("location"),
                Field.textarea("reason"),
            )
        )


class CancelForm(forms.Form):
    """One question: why the meeting is cancelled (shared with every agency invited)."""

    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Every agency invited is told, with this reason.",
        error_messages={"required": "Enter why the meeting is cancelled"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Layout(Field.textarea("reason", label_size=Size.LARGE, label_tag="h1")))


class InviteForm(forms.Form):
    """Which more agencies to invite (checkboxes)."""

    invited = forms.MultipleChoiceField(
        label="Which agencies do you want to invite?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Each is sent the invitation; every agency already invited is told.",
        error_messages={"required": "Select at least one agency to invite"},
    )

    def __init__(self, *args, chosen_from: Sequence[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        invited = self.fields["invited"]
        assert isinstance(invited, forms.MultipleChoiceField)
        invited.choices = [(str(org.pk), f"{org.name} ({org.get_kind_display()})") for org in chosen_from]
        self.helper = _helper(
            Layout(Field.checkboxes("invited", legend_size=Size.LARGE, legend_tag="h1", small=False))
        )


class BirthForm(forms.Form):
    """Record the birth of an unborn child: the date, and the child's name where known."""

    date_of_birth = DateField(
        label="Date of birth", past_only=True, required=True, help_text="For example, 18 12 2026"
    )
    given_name = forms.CharField(label="First name (optional)", required=False, max_length=100)
    family_name = forms.CharField(label="Last name (optional)", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].error_messages["required"] = "Enter the date of birth"
        self.helper = _helper(
            Layout(Field("date_of_birth"), Field.text("given_name"), Field.text("family_name"))
        )
