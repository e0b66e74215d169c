"""Reading vetting requests: a force's queue, a council's requests, one request, and the backlog figures by
force and by council. Only the council that asked and the force doing the checks see a request (the policy);
each read of a request is audited."""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.models import Clock
from openmash.lib.errors import NotFound
from openmash.organisations.models import Organisation
from openmash.vetting.models import APPLICANT_ROLES, VettingRequest
from openmash.vetting.services import SUBJECT_TYPE, vetting_clock


def _visible(actor: Actor) -> QuerySet[VettingRequest]:
    """Every request the actor may see: its force's queue (vetting officers) or its council's requests (the
    fostering and adoption practitioners). Nobody else sees any."""
    organisation = actor.organisation
    requests = VettingRequest.objects.select_related("council", "force")
    if organisation is None:
        return requests.none()
    if policy.may_do_vetting_checks(actor):
        return requests.filter(force=organisation)
    if policy.may_request_vetting(actor):
        return requests.filter(council=organisation)
    return requests.none()


def vetting_request_list(*, actor: Actor, open_only: bool = True) -> list[VettingRequest]:
    """The force's queue or the council's requests, oldest first (the longest wait at the top)."""
    if not policy.may_use_vetting(actor):
        raise NotFound("Not available to this role")
    requests = _visible(actor)
    if open_only:
        requests = requests.filter(outcome="")
    return list(requests.order_by("submitted_at"))


@dataclass(frozen=True)
class RequestView:
    request: VettingRequest
    clock: Clock | None
    is_force: bool
    is_council: bool


def vetting_request_open(*, actor: Actor, request_id: uuid.UUID | str) -> RequestView:
    """One request, audited. NotFound for one that does not exist and for one the actor may not see."""
    try:
        request = VettingRequest.objects.select_related("council", "force").get(pk=uuid.UUID(str(request_id)))
    except (ValueError, VettingRequest.DoesNotExist) as missing:
        raise NotFound("No such vetting request") from missing
    if not policy.may_see_vetting_request(actor, council_id=request.council_id, force_id=request.force_id):
        raise NotFound("No such vetting request")
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type=SUBJECT_TYPE,
        object_id=request.pk,
        reason="opened a vetting request",
    )
    assert actor.organisation is not None
    return RequestView(
        request=request,
        clock=vetting_clock(request),
        is_force=policy.may_record_vetting_check(actor, force_id=request.force_id),
        is_council=policy.may_withdraw_vetting_request(actor, council_id=request.council_id),
    )


@dataclass(frozen=True)
class Waiting:
    request: VettingRequest
    waited: dt.timedelta


@dataclass
class Backlog:
    """The open requests of one force or one council, and how long they have waited."""

    organisation: Organisation
    open_requests: int = 0
    median_age: dt.timedelta | None = None
    oldest_age: dt.timedelta | None = None
    past_standard: int = 0
    past_escalation: int = 0
    # Prospective foster carers and adopters still waiting, and the longest of their waits.
    applicants_waiting: int = 0
    applicants_longest: dt.timedelta | None = None
    # The requests that hold up a placement, longest wait first.
    blocking: list[Waiting] = field(default_factory=list)
    # Closed within the service standard, of those closed by certificate in the last 12 months.
    met_standard: int = 0
    certificates: int = 0

    @property
    def met_share(self) -> int | None:
        return round(100 * self.met_standard / self.certificates) if self.certificates else None


def _backlog(organisation: Organisation, requests: Iterable[VettingRequest], now: dt.datetime) -> Backlog:
    requests = list(requests)
    open_ = [request for request in requests if request.is_open]
    ages = sorted(now - request.submitted_at for request in open_)
    applicants = [now - r.submitted_at for r in open_ if r.role in APPLICANT_ROLES]
    year_ago = now - dt.timedelta(days=365)
    issued = [
        r for r in requests if r.certificate_issued_at is not None and r.certificate_issued_at >= year_ago
    ]
    return Backlog(
        organisation=organisation,
        open_requests=len(open_),
        median_age=(ages[len(ages) // 2] + ages[(len(ages) - 1) // 2]) / 2 if ages else None,
        oldest_age=ages[-1] if ages else None,
        past_standard=sum(1 for r in open_ if now > r.due_at),
        past_escalation=sum(1 for r in open_ if now > r.escalation_at),
        applicants_waiting=len(applicants),
        applicants_longest=max(applicants) if applicants else None,
        blocking=sorted(
            (Waiting(r, now - r.submitted_at) for r in open_ if r.placements_blocked),
            key=lambda waiting: waiting.waited,
            reverse=True,
        ),
        met_standard=sum(
            1 for r in issued if r.certificate_issued_at and r.certificate_issued_at <= r.due_at
        ),
        certificates=len(issued),
    )


@dataclass(frozen=True)
class Backlogs:
    overall: Backlog
    # A force sees its backlog by council; a council sees its own by force.
    by_other: list[Backlog]
    by_force: bool


def vetting_backlog(*, actor: Actor) -> Backlogs:
    """The actor's own backlog (its force's or its council's), and the same split by the other side."""
    if not policy.may_use_vetting(actor):
        raise NotFound("Not available to this role")
    organisation = actor.organisation
    assert organisation is not None
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    requests = list(_visible(actor).exclude(outcome_at__lt=year_ago))
    is_force = policy.may_do_vetting_checks(actor)
    groups: dict[int, list[VettingRequest]] = {}
    others: dict[int, Organisation] = {}
    for request in requests:
        other = request.council if is_force else request.force
        groups.setdefault(other.pk, []).append(request)
        others[other.pk] = other
    by_other = sorted(
        (_backlog(others[pk], group, now) for pk, group in groups.items()),
        key=lambda backlog: (-backlog.open_requests, backlog.organisation.name),
    )
    return Backlogs(overall=_backlog(organisation, requests, now), by_other=by_other, by_force=not is_force)


def wait_words(waited: dt.timedelta | None) -> str:
    """How long someone has waited, in words: "3 days", "1 day", "5 hours"."""
    if waited is None:
        return "None"
    days = waited.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = int(waited.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"
