"""Where a child in care lives: placements, with the codes the looked-after children return (SSDA903) asks
for, and which placement was in force on a day."""

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import ReasonKind
from openmash.access.services import access_reason_record
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import write_transaction
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.missing.models import (
    LegalStatus,
    Placement,
    PlacementType,
    ProviderSector,
)
from openmash.organisations.models import Organisation
from openmash.people.models import ChildStatus, ChildStatusKind, Person


def _in_force(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def placement_of(child_id: uuid.UUID, at: dt.datetime | None = None) -> Placement | None:
    """The child's placement on that day (today by default)."""
    day = timezone.localtime(at or timezone.now()).date()
    return (
        Placement.objects.select_related("provider", "council")
        .filter(_in_force(day), child_id=child_id)
        .order_by("-started_on")
        .first()
    )


def placements_of(asked: Sequence[tuple[uuid.UUID, dt.datetime | None]]) -> list[Placement | None]:
    """``placement_of`` for many (child, instant) pairs at once (an import's chunk): one query for all the
    children, each answer the placement in force on its day (``_in_force``), the latest started."""
    if not asked:
        return []
    placements: dict[uuid.UUID, list[Placement]] = {}
    for placement in Placement.objects.select_related("provider", "council").filter(
        child_id__in={child for child, _at in asked}
    ):
        placements.setdefault(placement.child_id, []).append(placement)
    found: list[Placement | None] = []
    for child, at in asked:
        day = timezone.localtime(at or timezone.now()).date()
        in_force = [
            placement
            for placement in placements.get(child, ())
            if placement.started_on <= day and (placement.ended_on is None or placement.ended_on >= day)
        ]
        found.append(max(in_force, key=lambda placement: placement.started_on) if in_force else None)
    return found


def placement_record(
    *,
    actor: Actor,
    child: Person,
    provider: Organisation,
    started_on: dt.date,
    placement_type: str = "",
    legal_status: str = "",
    provider_sector: str = "",
) -> Placement:
    """Record where a looked-after child is placed, and, where the council gives them, the placement's type,
    the child's legal status and the provider's sector (the looked-after children return's PLACE, LS and
    PLACE_PROVIDER: missing.exports). The placing council records it; the provider's carers get a reason to see
    the child (to report them missing and found)."""
    errors = {}
    for name, value, choices in (
        ("placement_type", placement_type, PlacementType.values),
        ("legal_status", legal_status, LegalStatus.values),
        ("provider_sector", provider_sector, ProviderSector.values),
    ):
        if value and value not in choices:
            errors[name] = "Choose one of the listed options"
    if errors:
        raise InvalidInput(errors)
    status = (
        ChildStatus.objects.filter(person=child, status=ChildStatusKind.LOOKED_AFTER, end_date__isnull=True)
        .select_related("council")
        .first()
    )
    if status is None or not policy.may_record_placement(actor, status.council_id):
        raise NotAllowed("Only the council responsible for a looked-after child records its placement")
    with write_transaction():
        Placement.objects.filter(child=child, ended_on__isnull=True).update(ended_on=started_on)
        placement = Placement.objects.create(
            child=child,
            council=status.council,
            provider=provider,
            started_on=started_on,
            placement_type=placement_type,
            legal_status=legal_status,
            provider_sector=provider_sector,
            recorded_by_label=actor.label,
            recorded_at=timezone.now(),
        )
        access_reason_record(
            actor=actor,
            organisation=provider,
            person=child,
            kind=ReasonKind.GRANTED,
            detail=f"Child placed with {provider.name}",
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="placement",
            object_id=placement.pk,
            person_id=child.pk,
            reason="recorded a placement",
            detail={
                "provider": provider.code,
                "started_on": started_on.isoformat(),
                "placement_type": placement_type,
                "legal_status": legal_status,
            },
        )
    return placement
