"""Reads of inspections: an inspector's (the team they are named in) and an area administrator's (its grants).
(The figures for the council inspected are insight's: insight/selectors.py.)"""

from django.db.models import QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import Inspection
from openmash.accounts.actors import Actor
from openmash.lib.errors import NotFound


def _inspections() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("council", "inspectorate").prefetch_related(
        "samples__person", "members__user"
    )


def inspection_list(*, actor: Actor) -> list[Inspection]:
    """The inspections the actor may read now: those whose named team they are in, while access runs."""
    if not actor.is_inspector or actor.organisation is None or actor.user is None:
        return []
    now = timezone.now()
    return list(
        _inspections().filter(
            inspectorate=actor.organisation,
            members__user=actor.user,
            starts_at__lte=now,
            ends_at__gt=now,
            revoked_at__isnull=True,
        )
    )


def inspection_of_team(*, actor: Actor, inspection_id: int) -> Inspection:
    """An inspection the actor is named in the team of, whatever the state of its access (its pages then say
    "access ended"); anyone else, and any other inspection, is not found."""
    inspection = _inspections().filter(pk=inspection_id).first()
    if inspection is None or not policy.in_inspection_team(actor, inspection):
        raise NotFound("No such inspection")
    return inspection


def area_inspections(*, actor: Actor) -> list[Inspection]:
    """The grants of the actor's area, newest first, for its administrators."""
    council = actor.organisation
    if council is None or not policy.may_grant_inspection_access(actor, council):
        raise NotFound("Not an administrator of a council")
    return list(_inspections().filter(council=council))


def area_inspection(*, actor: Actor, inspection_id: int) -> Inspection:
    """One grant of the actor's area, for its administrators; not found for anyone else."""
    inspection = _inspections().filter(pk=inspection_id).first()
    if inspection is None or not policy.may_administer_inspection(actor, inspection):
        raise NotFound("No such inspection")
    return inspection
