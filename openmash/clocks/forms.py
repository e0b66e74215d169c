"""GOV.UK forms for clocks: recording that the work was done, and an area's own figure for a local default."""

from django import forms

from openmash.accounts.forms import GovukFormMixin
from openmash.clocks import engine
from openmash.clocks.models import AreaClockSetting, TermBreak
from openmash.events.forms import EARLIEST_DAY, LondonTimes, TimeField, combine
from openmash.people.forms import DateField
from openmash.ui.forms import column_length


class DoneForm(LondonTimes, GovukFormMixin, forms.Form):
    submit_label = "Record that this was done"
    done_date = DateField(label="Date it was done", earliest=EARLIEST_DAY, past_only=True, required=True)
    done_time = TimeField(label="Time it was done", error_messages={"required": "Enter the time it was done"})
    breach_reason = forms.CharField(
        label="Reason for the delay",
        help_text="Needed when it was done after the deadline",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def done_at(self):
        return combine(self.cleaned_data["done_date"], self.cleaned_data["done_time"])


class AreaSettingForm(GovukFormMixin, forms.Form):
    submit_label = "Save the area's figure"
    unit = forms.ChoiceField(
        label="Counted in",
        choices=[(unit.value, unit.value.replace("_", " ")) for unit in sorted(engine.OVERRIDABLE_UNITS)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the deadline is counted"},
    )
    amount = forms.IntegerField(
        label="Figure",
        min_value=1,
        max_value=engine.MAX_AMOUNT,
        error_messages={
            "required": "Enter the figure, for example 3",
            "invalid": "The figure must be a whole number, for example 3",
            "min_value": "The figure must be 1 or more",
            "max_value": f"The figure must be {engine.MAX_AMOUNT} or less",
        },
    )
    reason = forms.CharField(
        label="Where the area agreed this",
        help_text="For example, Tees local safeguarding procedures, section 4.2",
        max_length=column_length(AreaClockSetting, "reason"),
        error_messages={"required": "Say where the area agreed this figure"},
    )


class TermBreakForm(GovukFormMixin, forms.Form):
    submit_label = "Add the break"
    name = forms.CharField(
        label="Name",
        max_length=column_length(TermBreak, "name"),
        error_messages={"required": "Enter a name for the break"},
    )
    first_day = DateField(label="First day closed", earliest=EARLIEST_DAY, required=True)
    last_day = DateField(label="Last day closed", earliest=EARLIEST_DAY, required=True)


class SchoolDayStartForm(GovukFormMixin, forms.Form):
    submit_label = "Save the start time"
    starts_at = TimeField(
        label="School day starts at", error_messages={"required": "Enter when the school day starts"}
    )


class AllocationForm(GovukFormMixin, forms.Form):
    """A team manager chooses who does a piece of work (one question: the label is the page's heading)."""

    submit_label = "Allocate"
    worker = forms.ChoiceField(
        label="Who will do this work?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who will do this work",
            "invalid_choice": "Choose who will do this work",
        },
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                str(worker.pk),
                f"{worker.get_full_name() or worker.username}"
                + (f", {worker.job_title}" if worker.job_title else ""),
            )
            for worker in workers
        ]
