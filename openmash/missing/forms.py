"""GOV.UK forms for missing children. They check shape; the services decide what is allowed."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from openmash.accounts.forms import GovukFormMixin
from openmash.accounts.models import User
from openmash.events.forms import EARLIEST_DAY, LondonTimes, TimeField, combine
from openmash.missing.models import Category, Exploitation, InterviewResponse, Risk
from openmash.missing.services import REPEAT_DAYS_RANGE, REPEAT_EPISODES_RANGE
from openmash.people.forms import DateField


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


def _when(form: forms.Form, prefix: str, what: str) -> None:
    form.fields[f"{prefix}_date"] = DateField(
        label=f"Date {what}",
        earliest=EARLIEST_DAY,
        past_only=True,
        required=True,
        help_text="For example, 27 3 2026",
    )
    form.fields[f"{prefix}_date"].error_messages["required"] = f"Enter the date {what}"
    form.fields[f"{prefix}_time"] = TimeField(
        label=f"Time {what}", error_messages={"required": f"Enter the time {what}"}
    )


def when(data: dict, prefix: str):
    return combine(data.get(f"{prefix}_date"), data.get(f"{prefix}_time"))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MissingReportForm(LondonTimes, forms.Form):
    category = forms.ChoiceField(
        label="Is the child missing or away without authorisation?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        help_text="Away: the child's whereabouts are known but they are not where they should be",
        error_messages={"required": "Choose whether the child is missing or away without authorisation"},
    )
    last_seen_where = forms.CharField(
        label="Where was the child last seen?",
        max_length=300,
        error_messages={"required": "Enter where the child was last seen"},
    )
    risk = forms.ChoiceField(
        label="How much risk do you think the child is at?",
        choices=Risk.choices,
        initial=Risk.MEDIUM,
        widget=forms.RadioSelect,
        help_text="The police make their own grading",
        error_messages={"required": "Choose the risk"},
    )
    summary = forms.CharField(
        label="What happened (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _when(self, "last_seen", "last seen")
        self.helper = _helper(
            Field.radios("category", legend_size=Size.SMALL),
            "last_seen_date",
            "last_seen_time",
            "last_seen_where",
            Field.radios("risk", legend_size=Size.SMALL),
            "summary",
        )


class FoundForm(LondonTimes, forms.Form):
    found_where = forms.CharField(
        label="Where was the child found or where did they return to?", max_length=300
    )
    found_by = forms.CharField(
        label="Who found them, or did they come back by themselves? (optional)",
        max_length=300,
        required=False,
    )
    summary = forms.CharField(
        label="Anything else (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["found_where"].error_messages["required"] = "Enter where the child was found"
        _when(self, "found", "found or returned")
        self.helper = _helper("found_date", "found_time", "found_where", "found_by", "summary")


class RiskForm(forms.Form):
    risk = forms.ChoiceField(
        label="Risk grading",
        choices=Risk.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk"},
    )
    reason = forms.CharField(
        label="Why this grading",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the risk is graded this way"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("risk", legend_size=Size.SMALL), "reason")


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="Add an update",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the update"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("text")


class SafeAndWellForm(LondonTimes, forms.Form):
    notes = forms.CharField(
        label="What the check found (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _when(self, "checked", "of the safe-and-well check")
        self.helper = _helper("checked_date", "checked_time", "notes")


class OfferForm(LondonTimes, forms.Form):
    offered_to = forms.CharField(
        label="Who was the interview offered to?",
        max_length=300,
        help_text="The child, and the parent or carer told of the offer",
        error_messages={"required": "Enter who the interview was offered to"},
    )
    response = forms.ChoiceField(
        label="The child's answer",
        choices=InterviewResponse.choices,
        initial=InterviewResponse.WAITING,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's answer"},
    )
    declined_reason = forms.CharField(
        label="If declined, the child's reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    late_reason = forms.CharField(
        label="If offered after 72 hours, the reason for the delay",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _when(self, "offered", "offered")
        self.helper = _helper(
            "offered_date",
            "offered_time",
            "offered_to",
            Field.radios("response", legend_size=Size.SMALL),
            "declined_reason",
            "late_reason",
        )


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        label="The child's answer",
        choices=[(InterviewResponse.ACCEPTED, "Accepted"), (InterviewResponse.DECLINED, "Declined")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the child accepted or declined"},
    )
    declined_reason = forms.CharField(
        label="If declined, the child's reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("response", legend_size=Size.SMALL), "declined_reason")


class OutcomeForm(LondonTimes, forms.Form):
    held_where = forms.CharField(
        label="Where was it held?",
        max_length=300,
        error_messages={"required": "Enter where the interview was held"},
    )
    interviewer = forms.ModelChoiceField(
        label="Who held the interview?",
        queryset=User.objects.none(),
        error_messages={"required": "Choose who held the interview"},
    )
    why_went = forms.CharField(
        label="Why the child went missing",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the child went missing, in their words where possible"},
    )
    where_went = forms.CharField(
        label="Where they went", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    with_whom = forms.CharField(
        label="Who they were with", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    places = forms.CharField(
        label="Places named (optional)",
        required=False,
        help_text="One a line",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    associates = forms.CharField(
        label="People named (optional)",
        required=False,
        help_text="One a line",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    exploitation = forms.MultipleChoiceField(
        label="Indicators of exploitation",
        choices=Exploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    child_wishes = forms.CharField(
        label="What the child wants to happen", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action_police = forms.CharField(
        label="Actions for the police", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action_council = forms.CharField(
        label="Actions for the social worker", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action_other = forms.CharField(
        label="Actions for other agencies", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    independence_exception = forms.CharField(
        label="If the interviewer is from the child's placement or social work team, why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, interviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if interviewers is not None:
            field = self.fields["interviewer"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = interviewers
        _when(self, "held", "held")
        self.helper = _helper(
            "held_date",
            "held_time",
            "held_where",
            "interviewer",
            "why_went",
            "where_went",
            "with_whom",
            "places",
            "associates",
            Field.checkboxes("exploitation", legend_size=Size.SMALL),
            "child_wishes",
            "action_police",
            "action_council",
            "action_other",
            "independence_exception",
        )

    def lines(self, name: str) -> list[str]:
        return _lines(self.cleaned_data.get(name, ""))


class PeriodForm(forms.Form):
    """The missing list's period: from and to dates, both optional (the last 12 months by default)."""

    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _count_field(label: str, what: str, limits: tuple[int, int], hint: str) -> forms.IntegerField:
    low, high = limits
    between = f"The number of {what} must be between {low} and {high}"
    return forms.IntegerField(
        label=label,
        help_text=hint,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": f"Enter the number of {what}",
            "invalid": f"The number of {what} must be a whole number, like {low + 1}",
            "min_value": between,
            "max_value": between,
        },
    )


class RepeatMissingForm(GovukFormMixin, forms.Form):
    """An area's repeat-missing figures: this many episodes within this many days raise the flag."""

    submit_label = "Save the figures"
    episodes = _count_field(
        "How many episodes make a child repeat missing?",
        "episodes",
        REPEAT_EPISODES_RANGE,
        "Counting the new episode. The national default is 3",
    )
    days = _count_field(
        "Within how many days?",
        "days",
        REPEAT_DAYS_RANGE,
        "The national default is 90",
    )
