from django import forms

from openmash.accounts.forms import GovukFormMixin
from openmash.retention.rules import Rule, ordinal


def _years(label: str, hint: str, what: str) -> forms.IntegerField:
    between = f"The {what} must be between 1 and 150"
    return forms.IntegerField(
        label=label,
        help_text=hint,
        required=False,
        min_value=1,
        max_value=150,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": f"The {what} must be a whole number, like 25",
            "min_value": between,
            "max_value": between,
        },
    )


class RetentionFigureForm(GovukFormMixin, forms.Form):
    """An organisation's own figures for one kind of record: only the parts the rule has."""

    submit_label = "Save the figures"
    birthday = _years("Keep until which birthday?", "", "birthday")
    years_after = _years("Keep for how many years after the record?", "", "number of years")
    reason = forms.CharField(
        label="Why does your organisation keep these records for this long?",
        help_text="For example, the decision and its date: it is kept with the figures and in the audit trail",
        max_length=300,
        error_messages={"required": "Enter why your organisation keeps these records for this long"},
    )

    def __init__(self, *args, rule: Rule, **kwargs):
        super().__init__(*args, **kwargs)
        if rule.birthday is None:
            del self.fields["birthday"]
        else:
            statutory = " (set by law: it can be raised, not lowered)" if rule.statutory else ""
            self.fields[
                "birthday"
            ].help_text = f"The default is the {ordinal(rule.birthday)} birthday{statutory}"
        if rule.years_after is None:
            del self.fields["years_after"]
        else:
            self.fields[
                "years_after"
            ].help_text = (
                f"Counted from {rule.keep_from.split(', and ')[-1]}. The default is {rule.years_after} years"
            )
