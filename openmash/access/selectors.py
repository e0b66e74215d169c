"""Reads for inspectors: their inspections. (The figures for the council inspected are insight's:
insight/selectors.py.)"""

from openmash.access.models import Inspection
from openmash.accounts.actors import Actor


def inspection_list(*, actor: Actor) -> list[Inspection]:
    if not actor.is_inspector or actor.organisation is None:
        return []
    return list(
        Inspection.objects.filter(inspectorate=actor.organisation)
        .select_related("council")
        .prefetch_related("samples__person")
    )
