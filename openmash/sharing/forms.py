"""Forms of the sharing pages an administrator uses: the organisation's webhook endpoints."""

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from openmash.accounts.forms import GovukFormMixin
from openmash.lib.errors import InvalidInput
from openmash.sharing.services import WEBHOOK_URL_MAX_LENGTH, webhook_url_check


class WebhookEndpointForm(GovukFormMixin, forms.Form):
    url = forms.CharField(
        label="What is the URL of your endpoint?",
        help_text="Your system's address that will receive shares, starting https://",
        max_length=WEBHOOK_URL_MAX_LENGTH,
        error_messages={
            "required": "Enter the URL of the endpoint",
            "max_length": f"The URL must be {WEBHOOK_URL_MAX_LENGTH} characters or fewer",
        },
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("url", label_size=Size.LARGE, label_tag="h1"))

    def clean_url(self) -> str:
        try:
            return webhook_url_check(self.cleaned_data["url"])
        except InvalidInput as error:
            raise forms.ValidationError(error.errors["url"]) from None
