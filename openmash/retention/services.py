"""Retention: what has passed its date, and removing it.

Two kinds of thing go. A domestic abuse notification on which every council decision was no further action
goes on its own date (its content emptied), whatever else is known about the child. A person's details go
once every record about them has passed its date (``rules.toml``, with an area's own figures): their names,
identifiers, addresses, relationships, schools, date of birth and Philomena profile are removed, what each
event says of them is emptied, and an event all of whose people are gone is emptied too.

Rows are anonymised, not deleted, wherever other rows point at them (shares, deliveries, clocks, the audit
trail): the counts and times an inspector asks for stay true, and nothing identifies anyone. Audit entries
are never removed; each removal writes one, naming the record by its opaque id and the rule. Nothing is
removed while a legal hold is on the person or the event.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import write_transaction
from openmash.events.models import Event, EventKind, EventSubject, Source
from openmash.lib.errors import InvalidInput
from openmash.matching.models import MatchKey, MatchProfile
from openmash.organisations.models import Organisation
from openmash.people.models import (
    Address,
    ChildStatus,
    ChildStatusKind,
    Ethnicity,
    Person,
    PersonIdentifier,
    PersonKind,
    PersonName,
    Relationship,
    SchoolEnrolment,
)
from openmash.philomena.models import PhilomenaProfile
from openmash.retention.models import LegalHold, Removal, RetentionSetting
from openmash.retention.rules import (
    CHILD_IN_NEED,
    CHILD_PROTECTION,
    DOMESTIC_ABUSE_NFA,
    LOOKED_AFTER,
    MULTI_AGENCY_RECORD,
    PERSON_DETAILS,
    Rule,
    ordinal,
    rules,
)
from openmash.sharing.models import Decision, Share

# Which rule a child's status with a council falls under.
STATUS_RULES = {
    ChildStatusKind.LOOKED_AFTER: LOOKED_AFTER,
    ChildStatusKind.PROTECTION_PLAN: CHILD_PROTECTION,
    ChildStatusKind.CHILD_IN_NEED: CHILD_IN_NEED,
    ChildStatusKind.KNOWN: CHILD_IN_NEED,
}
# A council's answer that leaves a notification with no further action; a school's "read and noted" is no
# decision either way.
_NO_ACTION = {Decision.NO_FURTHER_ACTION, Decision.NOTED}


@dataclass(frozen=True)
class Due:
    """A person or an event whose date has come (or cannot yet be worked out: ``due_on`` None)."""

    kind: str  # "person" or "event"
    id: uuid.UUID
    rule: str
    due_on: dt.date | None
    held: str = ""  # the legal hold's reason, if one keeps it


@dataclass
class RetentionPlan:
    on: dt.date
    events: list[Due] = field(default_factory=list)  # due and not held
    people: list[Due] = field(default_factory=list)  # due and not held
    held: list[Due] = field(default_factory=list)  # due, kept by a legal hold
    undetermined: list[Due] = field(default_factory=list)  # no date of birth, or a status still open


class _Rules:
    """The rules with each organisation's own figures."""

    def __init__(self) -> None:
        self.base = rules()
        self.own: dict[tuple[int | None, str], RetentionSetting] = {
            (s.organisation_id, s.rule): s for s in RetentionSetting.objects.all()
        }

    def for_(self, key: str, organisation_id: int | None) -> Rule:
        setting = self.own.get((organisation_id, key))
        rule = self.base[key]
        if setting is None:
            return rule
        return rule.with_figures(birthday=setting.birthday, years_after=setting.years_after)


def _no_further_action_events() -> set[uuid.UUID]:
    """Domestic abuse notifications answered, and answered only with no further action (or noted)."""
    answers: dict[uuid.UUID, set[str]] = defaultdict(set)
    for event_id, decision in (
        Share.objects.filter(event__kind=EventKind.DOMESTIC_ABUSE)
        .exclude(decision="")
        .values_list("event_id", "decision")
    ):
        answers[event_id].add(decision)
    return {
        event_id
        for event_id, given in answers.items()
        if Decision.NO_FURTHER_ACTION in given and given <= _NO_ACTION
    }


def retention_plan(*, today: dt.date | None = None) -> RetentionPlan:
    """What a retention run would remove today, what a legal hold keeps, and what cannot be dated yet.
    Reads only."""
    today = today or timezone.localdate()
    plan = RetentionPlan(on=today)
    figures = _Rules()
    removed_people = set(Removal.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    removed_events = set(Removal.objects.filter(event__isnull=False).values_list("event_id", flat=True))
    holds = LegalHold.objects.filter(lifted_at__isnull=True)
    people_held = dict(holds.filter(person__isnull=False).values_list("person_id", "reason"))
    events_held = dict(holds.filter(event__isnull=False).values_list("event_id", "reason"))
    no_action = _no_further_action_events()

    events = {
        row[0]: row
        for row in Event.objects.exclude(source=Source.HELD).values_list(
            "id", "occurred_at", "council_id", "recorded_by_id"
        )
    }
    subjects: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)  # person -> events
    people_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)  # event -> people
    for event_id, person_id in EventSubject.objects.values_list("event_id", "person_id"):
        if event_id in events:
            subjects[person_id].append(event_id)
            people_of[event_id].append(person_id)

    def event_date(event_id: uuid.UUID) -> dt.date:
        return timezone.localtime(events[event_id][1]).date()

    def event_organisation(event_id: uuid.UUID) -> int:
        _id, _at, council_id, recorded_by_id = events[event_id]
        return council_id or recorded_by_id

    # Notifications with no further action, each on its own date.
    for event_id in sorted(no_action & events.keys() - removed_events):
        rule = figures.for_(DOMESTIC_ABUSE_NFA, event_organisation(event_id))
        due_on = rule.keep_until(date_of_birth=None, record_date=event_date(event_id), child=False)
        if due_on is None or due_on > today:
            continue
        reason = events_held.get(event_id) or next(
            (people_held[p] for p in people_of[event_id] if p in people_held), ""
        )
        (plan.held if reason else plan.events).append(
            Due("event", event_id, DOMESTIC_ABUSE_NFA, due_on, reason)
        )

    statuses: dict[uuid.UUID, list[tuple[str, dt.date | None, int]]] = defaultdict(list)
    for person_id, status, end_date, council_id in ChildStatus.objects.values_list(
        "person_id", "status", "end_date", "council_id"
    ):
        statuses[person_id].append((STATUS_RULES[ChildStatusKind(status)], end_date, council_id))

    people = Person.objects.filter(merged_into__isnull=True).values_list(
        "id", "kind", "date_of_birth", "expected_date_of_birth", "created_at", "recorded_by_id"
    )
    for person_id, kind, born, expected, created_at, recorded_by_id in people.iterator(chunk_size=5000):
        if person_id in removed_people:
            continue
        child = kind != PersonKind.ADULT
        born = born or expected
        dates: list[tuple[dt.date | None, str]] = []
        for key, end_date, council_id in statuses[person_id]:
            rule = figures.for_(key, council_id)
            dates.append((rule.keep_until(date_of_birth=born, record_date=end_date, child=child), key))
        for event_id in subjects[person_id]:
            key = DOMESTIC_ABUSE_NFA if event_id in no_action else MULTI_AGENCY_RECORD
            rule = figures.for_(key, event_organisation(event_id))
            dates.append(
                (rule.keep_until(date_of_birth=born, record_date=event_date(event_id), child=child), key)
            )
        if not dates:
            rule = figures.for_(PERSON_DETAILS, recorded_by_id)
            record_date = timezone.localtime(created_at).date()
            dates.append(
                (rule.keep_until(date_of_birth=born, record_date=record_date, child=child), rule.key)
            )
        undated = next((key for day, key in dates if day is None), None)
        if undated is not None:
            plan.undetermined.append(Due("person", person_id, undated, None))
            continue
        due_on, key = max(dates, key=lambda pair: pair[0])  # type: ignore[arg-type,return-value]
        if due_on is None or due_on > today:
            continue
        reason = people_held.get(person_id, "")
        (plan.held if reason else plan.people).append(Due("person", person_id, key, due_on, reason))
    return plan


@dataclass
class RetentionReport:
    plan: RetentionPlan
    dry_run: bool
    events_removed: list[Due] = field(default_factory=list)
    people_removed: list[Due] = field(default_factory=list)


def retention_run(*, actor: Actor, dry_run: bool = False, today: dt.date | None = None) -> RetentionReport:
    """Remove or anonymise everything past its date (nothing, with ``dry_run``). Each removal is one
    transaction with its audit entry, so a long run never holds the database for long and an interrupted
    one is simply run again."""
    plan = retention_plan(today=today)
    report = RetentionReport(plan=plan, dry_run=dry_run)
    if dry_run:
        return report
    for due in plan.events:
        with write_transaction():
            if _event_empty(actor=actor, event_id=due.id, rule=due.rule, due_on=due.due_on):
                report.events_removed.append(due)
    for due in plan.people:
        with write_transaction():
            report.people_removed.append(due)
            _person_anonymise(actor=actor, due=due)
            for event_id in _events_now_without_anyone(due.id):
                if _event_empty(actor=actor, event_id=event_id, rule=due.rule, due_on=due.due_on):
                    report.events_removed.append(Due("event", event_id, due.rule, due.due_on))
    return report


def _event_empty(*, actor: Actor, event_id: uuid.UUID, rule: str, due_on: dt.date | None) -> bool:
    """Empty one event of what it says (its summary, place and details, what it says of each person, the
    reasons given for decisions on it), keeping the row, its shares and their times."""
    if Removal.objects.filter(event_id=event_id).exists():
        return False
    Event.objects.filter(pk=event_id).update(summary="", location="", postcode="", details={})
    EventSubject.objects.filter(event_id=event_id).update(details={})
    Share.objects.filter(event_id=event_id).update(decision_reasons="")
    now = timezone.now()
    Removal.objects.create(event_id=event_id, rule=rule, due_on=due_on or now.date(), removed_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="event",
        object_id=event_id,
        reason=f"Retention: {rules()[rule].label}",
        detail={"rule": rule, "due_on": str(due_on), "kept": "the event's kind, times and shares"},
    )
    return True


def _person_anonymise(*, actor: Actor, due: Due) -> None:
    person_id = due.id
    removed = {
        "names": PersonName.objects.filter(person_id=person_id).delete()[0],
        "identifiers": PersonIdentifier.objects.filter(person_id=person_id).delete()[0],
        "addresses": Address.objects.filter(person_id=person_id).delete()[0],
        "relationships": Relationship.objects.filter(
            Q(person_id=person_id) | Q(relative_id=person_id)
        ).delete()[0],
        "schools": SchoolEnrolment.objects.filter(person_id=person_id).delete()[0],
    }
    # Derived for matching from the details just removed (openmash.matching): they would still find the person.
    MatchProfile.objects.filter(person_id=person_id).delete()
    MatchKey.objects.filter(person_id=person_id).delete()
    for profile in PhilomenaProfile.objects.filter(child_id=person_id):
        if profile.photo:
            profile.photo.delete(save=False)
        profile.delete()
        removed["philomena_profile"] = 1
    person = Person.objects.get(pk=person_id)
    # An unborn child's expected date is required of the row: only its year is kept.
    expected = dt.date(person.expected_date_of_birth.year, 1, 1) if person.expected_date_of_birth else None
    Person.objects.filter(pk=person_id).update(
        given_name="",
        family_name="",
        date_of_birth=None,
        expected_date_of_birth=expected,
        ethnicity=Ethnicity.NOBT,
        updated_at=timezone.now(),
    )
    EventSubject.objects.filter(person_id=person_id).update(details={})
    now = timezone.now()
    Removal.objects.create(
        person_id=person_id, rule=due.rule, due_on=due.due_on or now.date(), removed_at=now
    )
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="person",
        object_id=person_id,
        person_id=person_id,
        reason=f"Retention: {rules()[due.rule].label}",
        detail={"rule": due.rule, "due_on": str(due.due_on), "removed": removed},
    )


def _events_now_without_anyone(person_id: uuid.UUID) -> list[uuid.UUID]:
    """This person's events all of whose people have now been removed."""
    gone = set(Removal.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    theirs = EventSubject.objects.filter(person_id=person_id).values_list("event_id", flat=True)
    left = []
    for event_id in theirs:
        people = set(EventSubject.objects.filter(event_id=event_id).values_list("person_id", flat=True))
        if people <= gone:
            left.append(event_id)
    return left


def legal_hold_place(
    *, actor: Actor, reason: str, person_id: uuid.UUID | None = None, event_id: uuid.UUID | None = None
) -> LegalHold:
    """Keep a person's records (or one event) past their retention date until the hold is lifted."""
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why the records must be kept"
    if (person_id is None) == (event_id is None):
        errors[""] = "Name one person or one event to hold"
    elif person_id is not None and not Person.objects.filter(pk=person_id).exists():
        errors["person"] = "There is no person with that ID"
    elif event_id is not None and not Event.objects.filter(pk=event_id).exists():
        errors["event"] = "There is no event with that ID"
    if errors:
        raise InvalidInput(errors)
    with write_transaction():
        hold = LegalHold.objects.create(
            person_id=person_id,
            event_id=event_id,
            reason=reason.strip(),
            placed_at=timezone.now(),
            placed_by_label=actor.label,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="legal-hold",
            object_id=hold.pk,
            person_id=person_id,
            reason=hold.reason,
            detail={"event": str(event_id) if event_id else None},
        )
    return hold


def legal_hold_lift(*, actor: Actor, hold_id: int) -> LegalHold:
    with write_transaction():
        hold = LegalHold.objects.filter(pk=hold_id, lifted_at__isnull=True).first()
        if hold is None:
            raise InvalidInput({"hold": "There is no legal hold in place with that number"})
        hold.lifted_at = timezone.now()
        hold.lifted_by_label = actor.label
        hold.save(update_fields=["lifted_at", "lifted_by_label"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="legal-hold",
            object_id=hold.pk,
            person_id=hold.person_id,
            reason="Legal hold lifted",
        )
    return hold


def retention_setting_set(
    *,
    actor: Actor,
    organisation: Organisation,
    rule: str,
    birthday: int | None,
    years_after: int | None,
    reason: str,
) -> RetentionSetting:
    """An organisation's own figure for one rule. A statutory figure may be raised, never lowered."""
    errors: dict[str, str] = {}
    known = rules()
    if rule not in known:
        errors["rule"] = "Choose one of the retention rules: " + ", ".join(known)
    else:
        base = known[rule]
        if birthday is not None and base.birthday is None:
            errors["birthday"] = f"{base.label}: this rule does not count from a birthday"
        if years_after is not None and base.years_after is None:
            errors["years_after"] = f"{base.label}: this rule does not count years after the record's date"
        if base.statutory and birthday is not None and base.birthday is not None and birthday < base.birthday:
            errors["birthday"] = (
                f"{base.label} must be kept at least until the {ordinal(base.birthday)} birthday by law"
            )
    if birthday is None and years_after is None:
        errors[""] = "Enter a birthday or a number of years"
    for name, value in (("birthday", birthday), ("years_after", years_after)):
        if value is not None and not 0 < value <= 150:
            errors[name] = "Enter a number between 1 and 150"
    if not reason.strip():
        errors["reason"] = "Enter why the area keeps these records for this long"
    if errors:
        raise InvalidInput(errors)
    with write_transaction():
        setting, _created = RetentionSetting.objects.update_or_create(
            organisation=organisation,
            rule=rule,
            defaults={
                "birthday": birthday,
                "years_after": years_after,
                "reason": reason.strip(),
                "changed_at": timezone.now(),
                "changed_by_label": actor.label,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="retention-setting",
            object_id=setting.pk,
            reason=setting.reason,
            detail={"rule": rule, "birthday": birthday, "years_after": years_after},
        )
    return setting
