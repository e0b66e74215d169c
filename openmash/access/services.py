"""Writes that give an organisation a reason to see a person, and inspections with their samples."""

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from openmash.access.models import AccessReason, Inspection, InspectionSample, ReasonKind
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib.errors import InvalidInput
from openmash.organisations.models import Organisation, OrganisationKind

if TYPE_CHECKING:
    from openmash.people.models import Person


def access_reason_record(
    *,
    actor: Actor,
    organisation: Organisation,
    person: "Person",
    kind: str,
    detail: str = "",
    covers_restricted: bool = False,
    expires_at: dt.datetime | None = None,
) -> AccessReason:
    with transaction.atomic():
        reason = AccessReason.objects.create(
            organisation=organisation,
            person=person,
            kind=kind,
            detail=detail,
            covers_restricted=covers_restricted,
            expires_at=expires_at,
            granted_by=actor.label,
        )
        audit_record(
            actor=actor,
            action=AuditAction.GRANT,
            object_type="access-reason",
            object_id=reason.pk,
            person_id=person.pk,
            reason=f"{kind}: {organisation.code}",
            detail={"organisation": organisation.code, "kind": kind, "covers_restricted": covers_restricted},
        )
        return reason


def inspection_create(
    *,
    actor: Actor,
    inspectorate: Organisation,
    council: Organisation,
    reference: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> Inspection:
    if inspectorate.kind != OrganisationKind.INSPECTORATE:
        raise InvalidInput({"inspectorate": f"{inspectorate.name} is not an inspectorate"})
    if council.kind != OrganisationKind.COUNCIL:
        raise InvalidInput({"council": f"{council.name} is not a council"})
    if ends_on < starts_on:
        raise InvalidInput({"ends_on": "The inspection must end on or after the day it starts"})
    with transaction.atomic():
        inspection = Inspection.objects.create(
            inspectorate=inspectorate,
            council=council,
            reference=reference,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="inspection",
            object_id=inspection.pk,
            detail={"reference": reference, "council": council.code, "inspectorate": inspectorate.code},
        )
        return inspection


def inspection_sample_add(*, actor: Actor, inspection: Inspection, person: "Person") -> InspectionSample:
    with transaction.atomic():
        sample, _ = InspectionSample.objects.get_or_create(inspection=inspection, person=person)
        audit_record(
            actor=actor,
            action=AuditAction.GRANT,
            object_type="inspection-sample",
            object_id=sample.pk,
            person_id=person.pk,
            reason=f"sampled for inspection {inspection.reference}",
        )
        return sample


__all__ = ["ReasonKind", "access_reason_record", "inspection_create", "inspection_sample_add"]
