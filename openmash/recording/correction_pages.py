"""The pages for correcting a person's details (rectification): the details as they should be and why, then
"check your answers" with each change as was and now, then the correction made and shared
(``recording.rectification.details_correct``). Thin: the policy, checks and audit are the service's."""

import datetime as dt
import uuid
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.accounts.actors import actor_for_request
from openmash.lib.errors import InvalidInput
from openmash.people.corrections import WHY_LONGEST
from openmash.people.forms import NameAndBirthForm
from openmash.people.models import Address, IdentifierScheme, Person
from openmash.recording.rectification import (
    DetailsGiven,
    correction_check,
    details_correct,
    person_to_correct,
)
from openmash.ui.forms import add_service_errors, column_length


class CorrectionForm(NameAndBirthForm):
    nhs_number = forms.CharField(
        label="NHS number", required=False, max_length=12, help_text="10 digits, like 943 476 5919"
    )
    upn = forms.CharField(label="Unique pupil number", required=False, max_length=13)
    address_line_1 = forms.CharField(
        label="Address line 1", max_length=column_length(Address, "line_1"), required=False
    )
    address_town = forms.CharField(
        label="Town or city", max_length=column_length(Address, "town"), required=False
    )
    address_postcode = forms.CharField(
        label="Postcode", max_length=column_length(Address, "postcode"), required=False
    )
    why = forms.CharField(
        label="Why are you correcting these details?",
        help_text="How you know the correct details: a birth certificate, a school's admission record, a GP",
        max_length=WHY_LONGEST,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the details are corrected and how you know (a birth certificate, say)"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Fieldset(
                Field.text("given_name"),
                Field.text("family_name"),
                Field("date_of_birth"),
                legend="Name and date of birth",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("nhs_number", field_width=10),
                Field.text("upn", field_width=20),
                legend="Identifiers",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("address_town", field_width=20),
                Field.text("address_postcode", field_width=10),
                legend="Where they live now",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("why"),
            Submit("continue", "Continue"),
        )


def _current(person: Person) -> dict[str, Any]:
    """The details on record, as the form shows them to be corrected."""
    identifiers = {row.scheme: row.value for row in person.identifiers.filter(issuer__isnull=True)}
    address = person.addresses.filter(end_date__isnull=True).order_by("-start_date", "-pk").first()
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "nhs_number": identifiers.get(IdentifierScheme.NHS_NUMBER, ""),
        "upn": identifiers.get(IdentifierScheme.UPN, ""),
        "address_line_1": address.line_1 if address else "",
        "address_town": address.town if address else "",
        "address_postcode": address.postcode if address else "",
    }


def _given(data: dict[str, Any]) -> DetailsGiven:
    """The form's answers as the service takes them: an empty address (none on record, none given) is no
    correction."""
    has_address = any(data.get(name) for name in ("address_line_1", "address_town", "address_postcode"))
    return DetailsGiven(
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        date_of_birth=data.get("date_of_birth"),
        nhs_number=data.get("nhs_number", ""),
        upn=data.get("upn", ""),
        address_line_1=data.get("address_line_1", "") if has_address else None,
        address_town=data.get("address_town", ""),
        address_postcode=data.get("address_postcode", ""),
    )


def _not_yet_shown(form: forms.Form, error: InvalidInput) -> dict[str, list[str]]:
    """The service's problems with the fields the form has not already found a problem with."""
    return {field: messages for field, messages in error.errors.items() if not form.has_error(field)}


def _session_key(person_id: uuid.UUID) -> str:
    return f"correction:{person_id}"


def _kept(data: dict[str, Any]) -> dict[str, Any]:
    """The answers as the session keeps them (dates as text)."""
    born = data.get("date_of_birth")
    return {**data, "date_of_birth": born.isoformat() if born else None}


def _restored(kept: dict[str, Any]) -> dict[str, Any]:
    born = kept.get("date_of_birth")
    return {**kept, "date_of_birth": dt.date.fromisoformat(born) if born else None}


def correct_details(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = actor_for_request(request)
    # First: the policy decides whether this page exists for the actor (a 404 if not).
    person = person_to_correct(actor, person_id)
    kept = request.session.get(_session_key(person_id))
    if request.method == "POST":
        form = CorrectionForm(request.POST)
    else:
        initial = _restored(kept) if kept and request.GET.get("change") else _current(person)
        form = CorrectionForm(initial=initial)
    if request.method == "POST":
        valid = form.is_valid()
        data = form.cleaned_data
        try:
            # Asked whether or not the form's own checks passed, so every problem is shown at once; a detail
            # the form could not read (an impossible date) is left as it is on record meanwhile.
            correction_check(actor=actor, person_id=person_id, given=_given(data), why=data.get("why", ""))
        except InvalidInput as error:
            add_service_errors(form, InvalidInput(_not_yet_shown(form, error)))
        else:
            if valid:
                request.session[_session_key(person_id)] = _kept(data)
                return redirect("events:correct-details-check", person_id=person_id)
    return render(request, "events/correct_details.html", {"form": form, "person": person})


def correct_details_check(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = actor_for_request(request)
    person = person_to_correct(actor, person_id)
    kept = request.session.get(_session_key(person_id))
    if not kept:
        return redirect("events:correct-details", person_id=person_id)
    data = _restored(kept)
    try:
        _, changes = correction_check(actor=actor, person_id=person_id, given=_given(data), why=data["why"])
    except InvalidInput:
        # The record changed since the answers were given (someone else corrected it): answer again.
        return redirect("events:correct-details", person_id=person_id)
    if request.method == "POST":
        try:
            corrected = details_correct(actor=actor, person_id=person_id, given=_given(data), why=data["why"])
        except InvalidInput:
            return redirect("events:correct-details", person_id=person_id)
        del request.session[_session_key(person_id)]
        told = len(corrected.recorded.shares_told)
        messages.success(
            request,
            f"{person.full_name or 'The person'}'s details are corrected. "
            + (
                f"{told} {'agency that has' if told == 1 else 'agencies that have'} their details will see the correction in their inbox."
                if told
                else "No other agency has had their details, so no one else needs telling."
            ),
        )
        return redirect("people:record", person_id=person_id)
    return render(
        request,
        "events/correct_details_check.html",
        {"person": person, "changes": changes, "why": data["why"]},
    )
