"""API for correcting a person's details (UK GDPR Art 16, rectification): the same service as the web page
(``recording.rectification.details_correct``), so the same policy, the same history kept, the same audit and
the same "details corrected" shares to every agency that had the details. A person the calling organisation
may not correct answers 404, as one that does not exist; bad input answers 422 with every field's problem
(application/problem+json). Takes an Idempotency-Key: a retry gets the first answer and corrects nothing twice.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from openmash.accounts.actors import Actor
from openmash.api.auth import request_actor
from openmash.api.idempotency import idempotent
from openmash.api.inputs import BirthDate, Input, column
from openmash.api.openapi import IDEMPOTENCY_KEY
from openmash.api.sharing import ProblemOut
from openmash.database import write_transaction
from openmash.lib.errors import InvalidInput
from openmash.people.corrections import WHY_LONGEST
from openmash.people.models import Address, Person
from openmash.recording.rectification import DetailsGiven, details_correct

router = Router(tags=["people"])


class AddressIn(Input):
    line_1: str = column(Address, "line_1")
    town: str = column(Address, "town", "")
    postcode: str = column(Address, "postcode")


class CorrectionIn(Input):
    """The details as they should be: give only those that are wrong. ``why`` says how you know."""

    given_name: str | None = column(Person, "given_name", None)
    family_name: str | None = column(Person, "family_name", None)
    date_of_birth: BirthDate | None = None
    nhs_number: str | None = Field(None, max_length=12)
    upn: str | None = Field(None, max_length=13)
    address: AddressIn | None = Field(None, description="Where they live now, given whole")
    why: str = Field(max_length=WHY_LONGEST, description="Why the details are corrected and how you know")


class CorrectedOut(Schema):
    detail: str
    label: str
    was: str
    now: str


class CorrectionOut(Schema):
    person_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The 'details corrected' event shared with the agencies told")
    corrected_at: dt.datetime
    corrected: list[CorrectedOut]
    told: list[str] = Field(description="The agencies told of the correction, by name")


def _fields(error: InvalidInput) -> InvalidInput:
    """The service's field names as this input calls them (the address is one object here)."""
    names = {
        "address_line_1": "address.line_1",
        "address_town": "address.town",
        "address_postcode": "address.postcode",
    }
    return InvalidInput({names.get(field, field): messages for field, messages in error.errors.items()})


@router.post(
    "/people/{person_id}/corrections",
    response={201: CorrectionOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut, 503: ProblemOut},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
)
def person_correct(request: HttpRequest, person_id: uuid.UUID, payload: CorrectionIn):
    """Correct a person's name, date of birth, NHS number, unique pupil number or address. The old values are
    kept in the record's history and every agency that has had the details (was sent them, or sent them) is
    told in its inbox: "Details corrected: date of birth was 1 March 2015, now 3 March 2015"."""

    def run(actor: Actor) -> dict[str, Any]:
        address = payload.address
        given = DetailsGiven(
            given_name=payload.given_name,
            family_name=payload.family_name,
            date_of_birth=payload.date_of_birth,
            nhs_number=payload.nhs_number,
            upn=payload.upn,
            address_line_1=address.line_1 if address else None,
            address_town=address.town if address else "",
            address_postcode=address.postcode if address else "",
        )
        try:
            corrected = details_correct(actor=actor, person_id=person_id, given=given, why=payload.why)
        except InvalidInput as error:
            raise _fields(error) from error
        return {
            # As JSON values: the answer is kept for a retry with the same Idempotency-Key.
            "person_id": str(corrected.person.pk),
            "event_id": str(corrected.recorded.event.pk),
            "corrected_at": corrected.recorded.event.recorded_at.isoformat(),
            "corrected": [
                {
                    "detail": row.detail,
                    "label": row.get_detail_display(),
                    "was": row.old_value,
                    "now": row.new_value,
                }
                for row in corrected.corrections
            ],
            "told": sorted(share.recipient.name for share in corrected.recorded.shares_told),
        }

    actor = request_actor(request)
    return idempotent(request, actor, payload, lambda: run(actor), 201, within=write_transaction)
