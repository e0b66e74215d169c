"""Reads for inspection access: the inspection a team member opens (or why they no longer may), the cases a
sample is drawn from, the area's measures for the team, and who of the team looked at what."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import Inspection
from openmash.access.selectors import inspection_of_team
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction, AuditEntry
from openmash.audit.services import audit_record
from openmash.insight.measures import Period, area_measures
from openmash.insight.report import Section, sections
from openmash.people.models import ChildStatus, ChildStatusKind, Person, PersonKind, Restriction

# The cases a sample is drawn from: the children the council holds a current plan, care or child in need status
# for (the children Annex A's lists 5 to 8 are about), never a restricted record (adoption, protected identity:
# those are seen only through a reason that names them) nor a record merged into another.
SAMPLED_STATUSES = (
    ChildStatusKind.CHILD_IN_NEED,
    ChildStatusKind.PROTECTION_PLAN,
    ChildStatusKind.LOOKED_AFTER,
)


class AccessEnded(Exception):
    """A team member opened an inspection whose access is not running: its page says so, and shows nothing."""

    def __init__(self, inspection: Inspection, state: policy.InspectionAccess):
        super().__init__(state.label)
        self.inspection = inspection
        self.state = state


def inspection_open(
    *, actor: Actor, inspection_id: int, page: str, detail: dict[str, Any] | None = None
) -> Inspection:
    """The inspection a team member opens a page of, while access runs, audited as a view of ``page``. Anyone not
    in its team: not found. A team member outside the grant's times: ``AccessEnded``."""
    inspection = inspection_of_team(actor=actor, inspection_id=inspection_id)
    if not policy.may_inspect_area(actor, inspection):
        raise AccessEnded(inspection, policy.inspection_access_state(inspection))
    if page:
        inspection_read_audit(actor=actor, inspection=inspection, page=page, detail=detail)
    return inspection


def inspection_read_audit(
    *,
    actor: Actor,
    inspection: Inspection,
    page: str,
    detail: dict[str, Any] | None = None,
    action: str = AuditAction.VIEW,
) -> None:
    """One entry in the audit trail for a page or list the team read: the area sees it in "Who has looked"."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            object_type="inspection",
            object_id=inspection.pk,
            reason=f"inspection {inspection.reference}: {page}",
            detail={"page": page, "council": inspection.council.code, **(detail or {})},
        )


def sample_population(inspection: Inspection) -> list[uuid.UUID]:
    today = timezone.localdate()
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    statuses = ChildStatus.objects.filter(
        current, council=inspection.council, status__in=SAMPLED_STATUSES, start_date__lte=today
    )
    return list(
        Person.objects.filter(
            pk__in=statuses.values("person_id"),
            kind=PersonKind.CHILD,
            restriction=Restriction.NONE,
            merged_into__isnull=True,
        ).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class AreaMeasures:
    period: Period
    sections: list[Section]


def inspection_measures(inspection: Inspection, *, today: dt.date | None = None) -> AreaMeasures:
    """The area's measures (docs/metrics.md) over the 12 months to today, both ends included."""
    today = today or timezone.localdate()
    period = Period(today - dt.timedelta(days=364), today)
    return AreaMeasures(period, sections(area_measures(council=inspection.council, period=period)))


@dataclass(frozen=True)
class Look:
    at: dt.datetime
    who: str
    what: str
    child: Person | None


LIST_TITLES = {
    "5": "list 5 (section 47 enquiries and conferences)",
    "7": "list 7 (child protection)",
    "8": "list 8 (children in care)",
}
PAGE_WORDS = {
    "inspection": "Opened the inspection's page",
    "measures": "Read the area's measures",
    "sample": "Read the sampled cases",
}
OBJECT_WORDS = {
    "person": "Opened the child's record",
    "chronology": "Read the child's chronology",
    "missing-episodes": "Read the child's missing episodes",
}


def _children(count: object) -> str:
    return "1 child" if count == 1 else f"{count} children"


def _what(entry: AuditEntry) -> str:
    detail = entry.detail or {}
    if entry.object_type == "inspection":
        if entry.action == AuditAction.EXPORT:
            rows = detail.get("rows")
            return f"Downloaded {LIST_TITLES.get(str(detail.get('list')), 'a list')}: {_children(rows)}"
        return PAGE_WORDS.get(str(detail.get("page")), "Opened a page of the inspection")
    if entry.object_type == "inspection-sample":
        drawn = _children(len(detail.get("drawn", [])))
        return f"Drew the sample of cases: {drawn} of {_children(detail.get('population'))}"
    return OBJECT_WORDS.get(entry.object_type, f"{entry.get_action_display()} ({entry.object_type})")


def who_looked(*, inspection: Inspection) -> list[Look]:
    """What the team read under the grant, newest first, from the audit trail: each page and list of the
    inspection, the draw of the sample, and every opening of a sampled child's record, chronology or episodes by
    one of the team while access ran. (The caller has asked ``policy.may_administer_inspection``.)"""
    team = list(inspection.members.values_list("user_id", flat=True))
    sampled = list(inspection.samples.values_list("person_id", flat=True))
    until = min(filter(None, [inspection.ends_at, inspection.revoked_at, timezone.now()]))
    entries = (
        AuditEntry.objects.filter(at__gte=inspection.starts_at, at__lte=until, actor_id__in=team)
        .filter(
            Q(object_type__in=("inspection", "inspection-sample"), object_id=str(inspection.pk))
            | Q(person_id__in=sampled)
        )
        .exclude(action=AuditAction.GRANT)
        .order_by("-sequence")
    )
    people = {person.pk: person for person in Person.objects.filter(pk__in=sampled)}
    return [
        Look(at=entry.at, who=entry.actor_label, what=_what(entry), child=people.get(entry.person_id))  # type: ignore[arg-type]
        for entry in entries
    ]
