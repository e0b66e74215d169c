"""Reads for inspectors: aggregate figures for the council inspected, and the cases sampled."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from openmash.access.models import Inspection
from openmash.access.selectors import inspection_list
from openmash.accounts.actors import Actor
from openmash.clocks.selectors import RuleMeasure, clock_measures
from openmash.insight.measures import Period, area_measures
from openmash.insight.report import Section, sections
from openmash.lib.errors import NotFound
from openmash.people.models import Address, ChildStatus, ChildStatusKind, Person


@dataclass(frozen=True)
class InspectionSummary:
    inspection: Inspection
    # Aggregates only: counts, never names, for the whole council.
    children_living_in_area: int
    open_statuses: dict[str, int]
    sampled: list[Person]
    # The council's statutory clocks by rule: met in time, late, overdue, running.
    clocks: list[RuleMeasure]
    # Issue 16's measures of the area over the last 12 months (docs/metrics.md), clocks apart (above).
    period: Period
    measures: list[Section]


def inspection_summary(*, actor: Actor, inspection_id: int) -> InspectionSummary:
    inspection = next((item for item in inspection_list(actor=actor) if item.pk == inspection_id), None)
    if inspection is None:
        raise NotFound("No such inspection")
    today = timezone.localdate()
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    statuses = (
        ChildStatus.objects.filter(current, council=inspection.council)
        .values("status")
        .annotate(children=Count("person", distinct=True))
    )
    by_status = {label: 0 for label in ChildStatusKind.labels}
    for row in statuses:
        by_status[ChildStatusKind(row["status"]).label] = row["children"]
    # A child in need, on a plan or looked after is known to children's social care too: "known" counts every
    # child with any current status, once.
    by_status[ChildStatusKind.KNOWN.label] = (
        ChildStatus.objects.filter(current, council=inspection.council).values("person").distinct().count()
    )
    living = (
        Address.objects.filter(current, council=inspection.council, person__kind="child")
        .values("person")
        .distinct()
        .count()
    )
    sampled = [sample.person for sample in inspection.samples.all()]
    # The year to today, both included: whole days in London time.
    period = Period(today - dt.timedelta(days=364), today)
    measured = sections(area_measures(council=inspection.council, period=period))
    return InspectionSummary(
        inspection=inspection,
        children_living_in_area=living,
        open_statuses=by_status,
        sampled=sampled,
        clocks=clock_measures(organisation=inspection.council),
        period=period,
        measures=[section for section in measured if section.title != "Statutory clocks"],
    )
