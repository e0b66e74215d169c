"""Writes that give an organisation a reason to see a person, and inspections with their samples."""

import datetime as dt
import random
import secrets
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import (
    INSPECTION_ACCESS_MAX,
    INSPECTION_SAMPLE_SIZE,
    AccessReason,
    Inspection,
    InspectionSample,
    InspectionTeamMember,
    ReasonKind,
)
from openmash.accounts.actors import Actor
from openmash.accounts.models import Role, User
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
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


def inspection_access_check(
    *,
    actor: Actor,
    council: Organisation,
    inspectorate: Organisation | None,
    team: Sequence[User],
    reference: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    reason: str,
    now: dt.datetime | None = None,
) -> None:
    """Every reason a grant cannot be made, at once (``InvalidInput``); nothing is written. The web's pages ask
    it on each step and the service again when the grant is confirmed."""
    if not policy.may_grant_inspection_access(actor, council):
        raise NotAllowed("Only the area's administrators grant inspection access")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if inspectorate is None or inspectorate.kind != OrganisationKind.INSPECTORATE:
        errors["inspectorate"] = "Select the inspectorate"
    if not team:
        errors["team"] = "Select at least one inspector for the team"
    elif inspectorate is not None and any(
        not member.is_active
        or member.organisation_id != inspectorate.pk
        or Role.INSPECTOR not in member.role_codes
        for member in team
    ):
        errors["team"] = f"Select inspectors of {inspectorate.name} only"
    reference = reference.strip()
    if not reference:
        errors["reference"] = "Enter the inspection's reference"
    elif Inspection.objects.filter(reference=reference).exists():
        errors["reference"] = "An inspection with this reference already has access: enter another reference"
    if not reason.strip():
        errors["reason"] = "Enter why the team needs access"
    if starts_at is None:
        errors.setdefault("starts_at", "Enter when access starts")
    elif timezone.localdate(starts_at) < timezone.localdate(now):
        errors["starts_at"] = "The start must be today or in the future"
    if ends_at is None:
        errors.setdefault("ends_at", "Enter when access ends")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start"
    elif starts_at is not None and policy.inspection_access_too_long(starts_at, ends_at):
        days = INSPECTION_ACCESS_MAX.days
        errors["ends_at"] = f"Access can last at most {days} days: grant it again if the team needs longer"
    if errors:
        raise InvalidInput(errors)


def inspection_access_grant(
    *,
    actor: Actor,
    council: Organisation,
    inspectorate: Organisation,
    team: Sequence[User],
    reference: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
) -> Inspection:
    """An area's administrator opens the area to a named inspection team from ``starts_at`` to ``ends_at``
    (checked by ``inspection_access_check``), in one transaction with its audit entry."""
    inspection_access_check(
        actor=actor,
        council=council,
        inspectorate=inspectorate,
        team=team,
        reference=reference,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
    )
    with transaction.atomic():
        inspection = Inspection.objects.create(
            inspectorate=inspectorate,
            council=council,
            reference=reference.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            granted_by=actor.user,
            granted_by_label=actor.label,
            granted_at=timezone.now(),
        )
        InspectionTeamMember.objects.bulk_create(
            [InspectionTeamMember(inspection=inspection, user=member) for member in team]
        )
        audit_record(
            actor=actor,
            action=AuditAction.GRANT,
            object_type="inspection",
            object_id=inspection.pk,
            reason=f"inspection access granted: {inspection.reference}",
            detail={
                "reference": inspection.reference,
                "council": council.code,
                "inspectorate": inspectorate.code,
                "team": sorted(member.username for member in team),
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
        return inspection


def inspection_access_revoke(*, actor: Actor, inspection: Inspection, reason: str) -> Inspection:
    """End a grant early (it then ends at once, for every page and record the team could read)."""
    if not policy.may_revoke_inspection_access(actor, inspection):
        raise NotAllowed("This grant cannot be revoked")
    if not reason.strip():
        raise InvalidInput({"reason": "Enter why access is ending early"})
    with transaction.atomic():
        inspection.revoked_at = timezone.now()
        inspection.revoked_by_label = actor.label
        inspection.revoked_reason = reason.strip()
        inspection.full_clean()
        inspection.save(update_fields=["revoked_at", "revoked_by_label", "revoked_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="inspection",
            object_id=inspection.pk,
            reason=f"inspection access revoked: {inspection.reference}",
            detail={"reference": inspection.reference, "why": inspection.revoked_reason},
        )
        return inspection


def inspection_sample_draw(
    *, actor: Actor, inspection: Inspection, population: Sequence[uuid.UUID], seed: int | None = None
) -> list[InspectionSample]:
    """Draw the inspection's random sample of cases: ``INSPECTION_SAMPLE_SIZE`` of ``population`` (the area's
    cases, handed over by the app that reads them), or all of them when fewer, by a seeded generator over the ids
    in order, so the draw can be repeated from its recorded seed. Once per inspection: the sample is the
    product's choice, not the team's, so it is not drawn again until it suits."""
    if not policy.may_draw_inspection_sample(actor, inspection):
        raise NotFound("No such inspection")
    with transaction.atomic():
        if InspectionSample.objects.filter(inspection=inspection, seed__isnull=False).exists():
            raise InvalidInput({"": "The sample for this inspection has already been drawn"})
        seed = secrets.randbits(62) if seed is None else seed
        ordered = sorted(set(population))
        # A repeatable draw from a recorded seed, not a secret: the seed itself comes from secrets.
        chosen = random.Random(seed).sample(  # noqa: S311
            ordered, min(INSPECTION_SAMPLE_SIZE, len(ordered))
        )
        samples = InspectionSample.objects.bulk_create(
            [
                InspectionSample(
                    inspection=inspection,
                    person_id=person_id,
                    drawn_by=actor.user,
                    drawn_by_label=actor.label,
                    seed=seed,
                )
                for person_id in chosen
            ],
            ignore_conflicts=True,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="inspection-sample",
            object_id=inspection.pk,
            reason=f"sample drawn for inspection {inspection.reference}",
            detail={
                "inspection": inspection.pk,
                "seed": seed,
                "population": len(ordered),
                "drawn": [str(person_id) for person_id in chosen],
            },
        )
        return samples


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


__all__ = [
    "ReasonKind",
    "access_reason_record",
    "inspection_access_check",
    "inspection_access_grant",
    "inspection_access_revoke",
    "inspection_sample_add",
    "inspection_sample_draw",
]
