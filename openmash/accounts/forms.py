"""Sign-in, second factor and account administration forms, in GOV.UK style."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from openmash.accounts.models import Role, roles_for_kind


class GovukFormMixin:
    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's own <form> carries the CSRF token and hidden fields
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.submit_label))


class SignInForm(GovukFormMixin, AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct user name and password. Both are case-sensitive.",
        "inactive": "This account has been closed. Ask your administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        # No autofocus: it would skip the heading, the lockout warning and the skip link (WCAG 2.4.3).
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].error_messages["required"] = "Enter your user name"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TokenForm(GovukFormMixin, forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code changes every 30 seconds",
        # Room for a pasted "980 571" or "980-571": the spaces and dashes are taken out before checking.
        max_length=20,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("token", field_width=5))

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split()).replace("-", "")
        if not token.isdigit():
            raise forms.ValidationError("The code must be 6 digits")
        if len(token) != 6:
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return token


class UserForm(GovukFormMixin, forms.Form):
    submit_label = "Create account"
    first_name = forms.CharField(max_length=150, error_messages={"required": "Enter the first name"})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Enter the last name"})
    username = forms.CharField(
        label="User name", max_length=150, error_messages={"required": "Enter a user name"}
    )
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(max_length=200, required=False)
    team = forms.CharField(
        max_length=100,
        required=False,
        help_text="For example, Front door. A team manager sees the deadlines of everyone in the team.",
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role"},
    )
    password = forms.CharField(
        label="Temporary password",
        help_text="At least 12 characters. The person can change it after signing in.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a temporary password"},
    )

    def __init__(self, *args, organisation_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles an organisation of this kind has (a council offers no police officer or inspector).
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)
        roles.choices = roles_for_kind(organisation_kind)


class RolesForm(GovukFormMixin, forms.Form):
    submit_label = "Save roles"
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role"},
    )

    def __init__(self, *args, organisation_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)
        roles.choices = roles_for_kind(organisation_kind)


class PasswordChangeForm(GovukFormMixin, forms.Form):
    """Change your own password: GOV.UK asks for the current one, then the new one twice."""

    submit_label = "Change password"
    current = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password"},
    )
    new = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 12 characters. Not a common password, not only numbers, and not like your name.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password"},
    )
    confirm = forms.CharField(
        label="Confirm new password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the new password again"},
    )


class TwoFactorSettingForm(GovukFormMixin, forms.Form):
    submit_label = "Save"
    requires_two_factor = forms.TypedChoiceField(
        label="Must everyone in your organisation sign in with a second factor?",
        choices=[("yes", "Yes (recommended)"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no"},
    )


class ApiClientForm(GovukFormMixin, forms.Form):
    submit_label = "Create API client"
    name = forms.CharField(
        label="Name of the system that will use the API",
        max_length=200,
        error_messages={"required": "Enter the name of the system"},
    )
