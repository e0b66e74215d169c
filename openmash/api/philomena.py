"""API for Philomena profiles: the child's council and carers keep one (PUT), and they and a police force it
was released to by a missing report read it (GET). The same services, selectors and policy as the pages; every
reading is audited."""

import base64
import binascii
import datetime as dt
import uuid

from django.conf import settings
from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema

from openmash.api.auth import request_actor
from openmash.api.inputs import Input
from openmash.lib.errors import InvalidInput, NotFound
from openmash.philomena import selectors, services
from openmash.philomena.selectors import ProfileView

router = Router(tags=["philomena"])

# A photo's base64 text is a third longer than the photo.
PHOTO_TEXT_LENGTH = (settings.PHILOMENA_PHOTO_MAX_BYTES * 4) // 3 + 8


class ProfileIn(Input):
    description: str = Field("", max_length=services.TEXT_LENGTH)
    associates: list[str] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    places: list[str] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    phone_numbers: list[str] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    health_needs: str = Field("", max_length=services.TEXT_LENGTH)
    medication: str = Field("", max_length=services.TEXT_LENGTH)
    photo_base64: str | None = Field(
        None,
        max_length=PHOTO_TEXT_LENGTH,
        description="A new photo, a JPG or PNG, base64-encoded; left out, the photo kept stays",
    )
    photo_taken_on: dt.date | None = None


class EpisodeOut(Schema):
    missing_report_id: uuid.UUID
    last_seen_at: dt.datetime
    location: str
    reported_by: str
    found_at: dt.datetime | None


class ReleaseOut(Schema):
    organisation: str
    shared_at: dt.datetime
    missing_report_reference: str


class ProfileOut(Schema):
    person_id: uuid.UUID
    exists: bool
    description: str
    associates: list[str]
    places: list[str]
    phone_numbers: list[str]
    health_needs: str
    medication: str
    has_photo: bool
    photo_taken_on: dt.date | None
    updated_at: dt.datetime | None
    previous_episodes: list[EpisodeOut]
    released_to: list[ReleaseOut]


def _out(view: ProfileView) -> dict:
    profile = view.profile
    return {
        "person_id": view.child.pk,
        "exists": profile is not None,
        "description": profile.description if profile else "",
        "associates": profile.associates if profile else [],
        "places": profile.places if profile else [],
        "phone_numbers": profile.phone_numbers if profile else [],
        "health_needs": profile.health_needs if profile else "",
        "medication": profile.medication if profile else "",
        "has_photo": bool(profile and profile.photo),
        "photo_taken_on": profile.photo_taken_on if profile else None,
        "updated_at": profile.updated_at.astimezone(dt.UTC) if profile else None,
        "previous_episodes": [
            {
                "missing_report_id": episode.report.pk,
                "last_seen_at": episode.report.occurred_at.astimezone(dt.UTC),
                "location": episode.report.location,
                "reported_by": episode.report.recorded_by.code,
                "found_at": episode.found.occurred_at.astimezone(dt.UTC) if episode.found else None,
            }
            for episode in view.episodes
        ],
        "released_to": [
            {
                "organisation": share.recipient.code,
                "shared_at": share.shared_at.astimezone(dt.UTC),
                "missing_report_reference": share.event.reference,
            }
            for share in view.releases
        ],
    }


@router.get("/people/{person_id}/philomena", response={200: ProfileOut})
def profile_get(request: HttpRequest, person_id: uuid.UUID):
    """A looked-after child's Philomena profile, with the child's earlier missing episodes. For the child's
    council and carers, and for a police force it was released to by a missing report; 404 for anyone else (the
    same as for a child who does not exist). Every reading is recorded in the audit trail."""
    return _out(selectors.profile_open(actor=request_actor(request), person_id=person_id))


@router.put("/people/{person_id}/philomena", response={200: ProfileOut})
def profile_put(request: HttpRequest, person_id: uuid.UUID, payload: ProfileIn):
    """Start or replace a looked-after child's Philomena profile (its keepers only: the responsible council and
    the child's carers). A photo must really be a JPG or PNG (the file is read, not its name) and at most the
    size limit. 404 for a child your organisation may not keep a profile for."""
    actor = request_actor(request)
    view = selectors.profile_open(
        actor=actor, person_id=person_id, purpose="opened to change", keepers_only=True
    )
    photo = None
    if payload.photo_base64 is not None:
        try:
            photo = base64.b64decode(payload.photo_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidInput({"photo_base64": "Give the photo as base64 text"}) from error
    try:
        services.profile_save(
            actor=actor,
            child=view.child,
            data=services.ProfileInput(
                description=payload.description,
                associates=payload.associates,
                places=payload.places,
                phone_numbers=payload.phone_numbers,
                health_needs=payload.health_needs,
                medication=payload.medication,
                photo_taken_on=payload.photo_taken_on,
            ),
            photo=photo,
        )
    except InvalidInput as error:
        raise InvalidInput(
            {("photo_base64" if key == "photo" else key): value for key, value in error.errors.items()}
        ) from error
    return _out(selectors.profile_open(actor=actor, person_id=person_id, purpose="saved"))


PHOTO_ANSWER = {
    "responses": {
        "200": {
            "description": "The photo",
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@router.get("/people/{person_id}/philomena/photo", response={200: None}, openapi_extra=PHOTO_ANSWER)
def photo_get(request: HttpRequest, person_id: uuid.UUID):
    """The profile's photo, for those who may read the profile; every reading is audited. 404 without one."""
    view = selectors.profile_open(
        actor=request_actor(request), person_id=person_id, purpose="viewed the photo of"
    )
    if view.profile is None or not view.profile.photo:
        raise NotFound("No photo")
    response = FileResponse(view.profile.photo.open("rb"), content_type=view.profile.photo_content_type)
    response["Cache-Control"] = "no-store, private"
    return response
