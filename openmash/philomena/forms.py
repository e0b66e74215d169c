"""The Philomena profile form (GOV.UK): shape only; the service checks meaning and the photo itself."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from openmash.people.forms import DateField
from openmash.philomena.models import PhilomenaProfile
from openmash.philomena.services import ProfileInput


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProfileForm(forms.Form):
    description = forms.CharField(
        label="Description",
        help_text="Height, build, hair, eyes, scars or marks, how they usually dress",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    photo = forms.FileField(
        label="Upload a recent photo",
        help_text="A JPG or PNG. It is only shown to the child's council, carers and a police force it is released to.",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    photo_taken_on = DateField(
        label="When was the photo taken?", past_only=True, help_text="For example, 27 3 2026"
    )
    associates = forms.CharField(
        label="Known associates",
        help_text="One a line: name, how they know the child, where they may be found",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    places = forms.CharField(
        label="Places the child may go",
        help_text="One a line",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    phone_numbers = forms.CharField(
        label="Phone numbers",
        help_text="One a line: the number and whose it is (the child's own, friends, family)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    health_needs = forms.CharField(
        label="Health needs", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    medication = forms.CharField(
        label="Medication",
        help_text="What, how often, and what happens if a dose is missed",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.textarea("description"),
            Fieldset(Field("photo"), Field("photo_taken_on"), legend="Photo", legend_size=Size.MEDIUM),
            Field.textarea("associates"),
            Field.textarea("places"),
            Field.textarea("phone_numbers"),
            Field.textarea("health_needs"),
            Field.textarea("medication"),
        )

    @classmethod
    def initial_from(cls, profile: PhilomenaProfile | None) -> dict:
        if profile is None:
            return {}
        return {
            "description": profile.description,
            "photo_taken_on": profile.photo_taken_on,
            "associates": "\n".join(profile.associates),
            "places": "\n".join(profile.places),
            "phone_numbers": "\n".join(profile.phone_numbers),
            "health_needs": profile.health_needs,
            "medication": profile.medication,
        }

    def profile_input(self) -> ProfileInput:
        data = self.cleaned_data
        return ProfileInput(
            description=data["description"],
            associates=_lines(data["associates"]),
            places=_lines(data["places"]),
            phone_numbers=_lines(data["phone_numbers"]),
            health_needs=data["health_needs"],
            medication=data["medication"],
            photo_taken_on=data.get("photo_taken_on"),
        )

    def photo_bytes(self, limit: int) -> bytes | None:
        """The uploaded file's bytes, read no further than just past the limit (the service refuses it then)."""
        upload = self.cleaned_data.get("photo")
        if upload is None:
            return None
        return upload.read(limit + 1)
