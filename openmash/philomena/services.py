"""Keeping a looked-after child's Philomena profile, and releasing it to the police on a missing report.

domain.md section 3 (Philomena protocol): carers of looked-after children keep a profile; on a missing report
it goes to the police at once. The release is an event of its own (``EventKind.PHILOMENA_PROFILE``) recorded in
the missing report's transaction, so it is routed (sharing.routing.placement_police), shared, delivered, timed
and audited like every share.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor, protocol_actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.events.models import Event, EventKind, Source, SubjectRole
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.organisations.models import Organisation
from openmash.people.models import ChildStatus, ChildStatusKind, Person
from openmash.people.selectors import reason_to_see
from openmash.philomena.models import PhilomenaProfile
from openmash.philomena.photos import PhotoRefused, photo_check
from openmash.recording.services import EventInput, PersonInput, RecordedEvent, event_record

# The longest item of a list (an associate, a place, a phone number) and the most items kept.
ITEM_LENGTH = 300
MAX_ITEMS = 50
TEXT_LENGTH = 5000


def responsible_councils(child: Person) -> list[Organisation]:
    """The councils the child is looked after by today (an open looked-after status)."""
    today = timezone.localdate()
    return [
        status.council
        for status in ChildStatus.objects.filter(person=child, status=ChildStatusKind.LOOKED_AFTER)
        .select_related("council")
        .order_by("start_date")
        if status.end_date is None or status.end_date >= today
    ]


def keeps_profiles_for(actor: Actor, child: Person) -> bool:
    """Whether ``actor`` keeps this child's profile: the policy decides (may_keep_philomena_profile) over the
    rows read here."""
    return policy.may_keep_philomena_profile(
        actor,
        responsible_council_ids=[council.pk for council in responsible_councils(child)],
        sees_child=reason_to_see(actor, child.pk) is not None,
    )


@dataclass(frozen=True)
class ProfileInput:
    description: str = ""
    associates: Sequence[str] = ()
    places: Sequence[str] = ()
    phone_numbers: Sequence[str] = ()
    health_needs: str = ""
    medication: str = ""
    photo_taken_on: dt.date | None = None


def _items(name: str, values: Sequence[str], errors: dict[str, str]) -> list[str]:
    items = [value.strip() for value in values if value.strip()]
    if len(items) > MAX_ITEMS:
        errors[name] = f"Enter at most {MAX_ITEMS} lines"
    elif any(len(item) > ITEM_LENGTH for item in items):
        errors[name] = f"Each line must be {ITEM_LENGTH} characters or fewer"
    return items


def profile_save(
    *, actor: Actor, child: Person, data: ProfileInput, photo: bytes | None = None
) -> PhilomenaProfile:
    """Start or update a child's profile (and, given, replace its photo). Every field is checked first; then one
    transaction writes the profile and its audit entry. Raises NotAllowed for anyone but its keepers."""
    if not keeps_profiles_for(actor, child):
        raise NotAllowed("Only the child's council and carers keep a Philomena profile")
    errors: dict[str, str] = {}
    lists = {
        name: _items(name, getattr(data, name), errors) for name in ("associates", "places", "phone_numbers")
    }
    for name in ("description", "health_needs", "medication"):
        if len(getattr(data, name)) > TEXT_LENGTH:
            errors[name] = f"Enter {TEXT_LENGTH} characters or fewer"
    if data.photo_taken_on is not None and data.photo_taken_on > timezone.localdate():
        errors["photo_taken_on"] = "The date the photo was taken must be today or in the past"
    checked = None
    if photo is not None:
        try:
            checked = photo_check(photo, max_bytes=settings.PHILOMENA_PHOTO_MAX_BYTES)
        except PhotoRefused as refused:
            errors["photo"] = str(refused)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        profile = PhilomenaProfile.objects.select_for_update().filter(child=child).first()
        created = profile is None
        if profile is None:
            councils = responsible_councils(child)
            profile = PhilomenaProfile(child=child, council=councils[0], created_at=now)
        profile.description = data.description.strip()
        profile.associates = lists["associates"]
        profile.places = lists["places"]
        profile.phone_numbers = lists["phone_numbers"]
        profile.health_needs = data.health_needs.strip()
        profile.medication = data.medication.strip()
        profile.updated_at = now
        profile.updated_by_label = actor.label
        old_photo = profile.photo.name if profile.photo else ""
        if checked is not None:
            # A new name each time: a photo being read is never overwritten under its reader.
            profile.photo.save(
                f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content), save=False
            )
            profile.photo_content_type = checked.content_type
            profile.photo_taken_on = data.photo_taken_on
        elif data.photo_taken_on is not None and profile.photo:
            profile.photo_taken_on = data.photo_taken_on
        profile.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            object_type="philomena-profile",
            object_id=profile.pk,
            person_id=child.pk,
            reason="started the Philomena profile" if created else "updated the Philomena profile",
            detail={"photo_replaced": checked is not None},
        )
        if checked is not None and old_photo:
            storage = profile.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
    return profile


# Missing reports imported from another system are history: their profile was not released through OpenMASH.
_RELEASED_FROM = frozenset({Source.WEB, Source.API})


def profile_release_on_missing_report(recorded: RecordedEvent) -> None:
    """Release the profile of each looked-after child a missing report is about to the police force covering
    the child's placement: one event of its own, recorded in the report's transaction (events.followups).

    Recorded for the council responsible for the child, which keeps the profile, whoever reported the child
    missing: a force that records a missing report about a child whose record it may not see does not receive
    the profile by doing so (docs/decisions/0012); only the force covering the placement does."""
    report = recorded.event
    if report.source not in _RELEASED_FROM:
        return
    # One query on the hot path of every missing report: the profiles of the children it is about, if any.
    about = PhilomenaProfile.objects.filter(
        child__event_subjects__event=report, child__event_subjects__role=SubjectRole.CHILD
    )
    for profile in about.select_related("child"):
        councils = responsible_councils(profile.child)
        if not councils:
            continue  # no longer looked after: the profile stays with its keepers
        _release(profile, report, councils[0])


def _release(profile: PhilomenaProfile, report: Event, council: Organisation) -> RecordedEvent:
    return event_record(
        actor=protocol_actor(council),
        data=EventInput(
            kind=EventKind.PHILOMENA_PROFILE,
            reference=report.reference,
            occurred_at=report.occurred_at,
            reported_at=report.reported_at or report.recorded_at,
            location=report.location,
            summary=f"Philomena profile of {profile.child.full_name}, released on the missing report",
            details={"profile": str(profile.pk), "missing_report": str(report.pk)},
            related_event_id=report.pk,
            people=[PersonInput(person_id=profile.child_id)],
            source=report.source,
        ),
    )
