from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from openmash.ui.forms import YesNoField


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.legend_size = Size.MEDIUM
    helper.layout = Layout(*fields)
    return helper


class ReviewDecisionForm(forms.Form):
    same_child = YesNoField(
        label="Are these records the same child?",
        required_message="Select whether these records are the same child",
        help_text="If yes, the records are linked: everything recorded on either is kept on the earlier record. "
        "A link can be undone.",
    )
    reason = forms.CharField(
        label="Why have you decided this?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why you decided this"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("same_child", inline=True), Field.textarea("reason"))


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label="Why are these not the same child?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why these records are not the same child"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason"))
