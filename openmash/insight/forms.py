"""The dashboard's period: GOV.UK date inputs for its first and last day (whole days in London time)."""

import datetime as dt

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from openmash.events.forms import EARLIEST_DAY
from openmash.insight.measures import Period
from openmash.people.forms import DateField

# The longest period the dashboard draws (its charts have a point a month): three years.
LONGEST = dt.timedelta(days=3 * 366)


class PeriodForm(forms.Form):
    from_date = DateField(
        label="First day",
        required=True,
        earliest=EARLIEST_DAY,
        past_only=True,
        help_text="For example, 1 4 2015",
    )
    to_date = DateField(
        label="Last day",
        required=True,
        earliest=EARLIEST_DAY,
        past_only=True,
        help_text="For example, 31 3 2016. The last day is included",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_date"].error_messages["required"] = "Enter the first day of the period"
        self.fields["to_date"].error_messages["required"] = "Enter the last day of the period"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(Field("from_date"), Field("to_date"), Submit("show", "Show this period"))

    def clean(self):
        data = super().clean() or {}
        first, last = data.get("from_date"), data.get("to_date")
        if first and last:
            if last < first:
                self.add_error("to_date", "The last day must be the same as or after the first day")
            elif last - first > LONGEST:
                self.add_error("to_date", "The period must be 3 years or shorter")
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["from_date"], self.cleaned_data["to_date"])


def period_query(period: Period) -> str:
    """The query string that chooses this period on every page of the dashboard."""
    parts = []
    for name, day in (("from_date", period.first_day), ("to_date", period.last_day)):
        parts += [f"{name}_0={day.day}", f"{name}_1={day.month}", f"{name}_2={day.year}"]
    return "&".join(parts)
