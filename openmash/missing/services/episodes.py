"""Missing episodes: the missing report that opens one and the found report that closes it, each an event
recorded through ``event_record`` and shared at once, the episode's own rows written in the same transaction
(its ``also``); risk gradings, updates, safe-and-well checks, and the places and associates seen with a child."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, audit_append, audit_record
from openmash.database import objects_insert, write_transaction
from openmash.events.models import EventKind, EventSubject, Source, SubjectRole
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import instant_problem
from openmash.lib.names import name_key
from openmash.missing.models import (
    Category,
    EpisodeUpdate,
    MissingEpisode,
    Placement,
    Risk,
    RiskGrading,
    SeenWith,
)
from openmash.missing.services.placements import placement_of, placements_of
from openmash.missing.services.repeats import REPEAT_DAYS, REPEAT_EPISODES, repeat_figures_by_council
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, ChildStatus, ChildStatusKind
from openmash.recording.services import (
    AlsoWrite,
    EventInput,
    PersonInput,
    RecordedEvent,
    event_record,
    events_check_many,
    events_record_many,
)
from openmash.sharing.models import Route


@dataclass(frozen=True)
class MissingReportInput:
    last_seen_at: dt.datetime | None
    child: PersonInput
    last_seen_where: str = ""
    reported_at: dt.datetime | None = None
    category: str = Category.MISSING
    risk: str = Risk.MEDIUM
    summary: str = ""
    reference: str = ""
    postcode: str = ""
    source: str = Source.WEB
    # Only for episodes imported from another system: the child's council and whether looked after, as the
    # file says, and when the council was really told (absent: the import time).
    council: Organisation | None = None
    looked_after: bool | None = None
    council_told_at: dt.datetime | None = None
    # The reporter's reason for a late notice, where it is asked (recording.checks.EventInput.late_reason).
    late_reason: str | None = None
    # Imported only: whether its shares are history or live work (sharing.models.ImportedAs).
    imported_as: str = ""


@dataclass(frozen=True)
class RecordedEpisode:
    episode: MissingEpisode
    recorded: RecordedEvent


def _child_council(child_id: uuid.UUID, recorded: RecordedEvent) -> tuple[Organisation | None, bool]:
    """Whose list the episode is on: the responsible council of a looked-after child, else the council where the
    child lives (as routing told them), else the recorder when it is a council."""
    event = recorded.event
    day = timezone.localtime(event.occurred_at).date()
    open_status = Q(end_date__isnull=True) | Q(end_date__gte=day)
    status = (
        ChildStatus.objects.filter(open_status, person_id=child_id, status=ChildStatusKind.LOOKED_AFTER)
        .select_related("council")
        .first()
    )
    if status is not None:
        return status.council, True
    for route in (Route.RESPONSIBLE_COUNCIL, Route.HOME_COUNCIL):
        for share in recorded.shares:
            if share.route == route:
                return share.recipient, route == Route.RESPONSIBLE_COUNCIL
    address = Address.objects.filter(open_status, person_id=child_id).select_related("council").first()
    if address is not None and address.council is not None:
        return address.council, False
    if event.recorded_by.kind == OrganisationKind.COUNCIL:
        return event.recorded_by, False
    return event.council, False


def _check_report(actor: Actor, data: MissingReportInput, placement: Placement | None) -> None:
    """``placement``: the child's placement when last seen (``placement_of``), for a child on record."""
    errors: dict[str, str] = {}
    if data.category not in Category.values:
        errors["category"] = "Choose whether the child is missing or away without authorisation"
    if data.risk not in Risk.values:
        errors["risk"] = "Choose the risk: no apparent risk, low, medium or high"
    if len(data.last_seen_where) > 300:
        errors["last_seen_where"] = "Enter at most 300 characters"
    if errors:
        raise InvalidInput(errors)
    placed_with = [placement.provider_id] if placement is not None else []
    if not policy.may_report_missing(actor, placed_with):
        raise NotAllowed("A carer reports missing only a child placed with their organisation")


def missing_report_record(
    *, actor: Actor, data: MissingReportInput, also: AlsoWrite | None = None
) -> RecordedEpisode:
    """Report a child missing: one missing report (shared at once with the police covering the child's home,
    the child's councils and the allocated social worker) and a new episode, with the first risk grading.
    The child's earlier episodes are counted first: where they make repeat missing, the report says so to
    everyone it reaches (the front door's inbox shows it and prompts a strategy discussion)."""
    placement = None
    if data.child.person_id is not None:
        placement = placement_of(data.child.person_id, data.last_seen_at)
    _check_report(actor, data, placement)
    repeat = None
    if data.child.person_id is not None and data.last_seen_at is not None:
        repeat = _repeat_if_any(data.child.person_id, data.last_seen_at)
    made: list[MissingEpisode] = []

    def write_episode(recorded: RecordedEvent) -> None:
        child = recorded.event.subjects.get(role=SubjectRole.CHILD).person_id
        episode, grading, entry = _episode_planned(actor, data, recorded, repeat, child)
        episode.save(force_insert=True)
        grading.save(force_insert=True)
        audit_append([(actor, entry)])
        made.append(episode)
        if also is not None:
            also(recorded)

    recorded = event_record(actor=actor, data=_report_event(data, repeat), also=write_episode)
    return RecordedEpisode(made[0], recorded)


def missing_reports_record_many(
    *, actor: Actor, inputs: Sequence[MissingReportInput]
) -> list[RecordedEpisode]:
    """``missing_report_record`` for many reports at once, in the caller's transaction (an import's chunk):
    the same checks, reports, episodes, gradings and audit entries, with the placements read in one query,
    the reports planned together (``events_record_many``) and each table's rows in one statement. No two
    reports may name the same child: a child's later report must see the earlier one's episode (its repeat
    count), so the caller records it in a later call."""
    # The children on record (named by id): where each was placed when last seen, and whether this report
    # makes them a repeat missing child.
    on_record = [
        (index, data.child.person_id, data.last_seen_at)
        for index, data in enumerate(inputs)
        if data.child.person_id is not None
    ]
    placed = placements_of([(child, at) for _index, child, at in on_record])
    placements = {index: placement for (index, _child, _at), placement in zip(on_record, placed, strict=True)}
    for index, data in enumerate(inputs):
        _check_report(actor, data, placements.get(index))
    counted = [(index, child, at) for index, child, at in on_record if at is not None]
    repeats: list[tuple[int, int] | None] = [None] * len(inputs)
    for (index, _child, _at), repeat in zip(
        counted, _repeats([(child, at) for _index, child, at in counted]), strict=True
    ):
        repeats[index] = repeat
    recorded = events_record_many(
        events_check_many(
            actor=actor,
            inputs=[_report_event(data, repeat) for data, repeat in zip(inputs, repeats, strict=True)],
        )
    )
    children = dict(
        EventSubject.objects.filter(
            event_id__in=[one.event.pk for one in recorded], role=SubjectRole.CHILD
        ).values_list("event_id", "person_id")
    )
    planned = [
        _episode_planned(actor, data, one, repeat, children[one.event.pk])
        for data, one, repeat in zip(inputs, recorded, repeats, strict=True)
    ]
    objects_insert(MissingEpisode, [episode for episode, _grading, _entry in planned]).run()
    objects_insert(RiskGrading, [grading for _episode, grading, _entry in planned]).run()
    audit_append([(actor, entry) for _episode, _grading, entry in planned])
    return [RecordedEpisode(episode, one) for (episode, _g, _e), one in zip(planned, recorded, strict=True)]


def _report_event(data: MissingReportInput, repeat: tuple[int, int] | None) -> EventInput:
    """The missing report as an event, saying when it makes the child a repeat missing child."""
    details: dict = {"risk": data.risk, "episode": data.category}
    if repeat is not None:
        details["repeat_missing"] = {"episodes": repeat[0], "days": repeat[1]}
    return EventInput(
        kind=EventKind.MISSING,
        reference=data.reference,
        occurred_at=data.last_seen_at,
        reported_at=data.reported_at or data.last_seen_at,
        location=data.last_seen_where,
        postcode=data.postcode,
        council=data.council,
        shared_at=data.council_told_at,
        imported_as=data.imported_as,
        summary=data.summary,
        details=details,
        people=[data.child],
        source=data.source,
        late_reason=data.late_reason,
    )


def _repeat_if_any(child_id: uuid.UUID, at: dt.datetime) -> tuple[int, int] | None:
    """(episodes including this one, days) when the child's episodes in the area's window reach its figure."""
    return _repeats([(child_id, at)])[0]


def _repeats(asked: Sequence[tuple[uuid.UUID, dt.datetime]]) -> list[tuple[int, int] | None]:
    """``_repeat_if_any`` for many (child, last seen) pairs in three queries. The area is the one responsible
    for the child in care, else the council of the child's latest episode; its figures (``repeat_figures``)
    say how many episodes in how many days make repeat missing."""
    if not asked:
        return []
    children = {child for child, _at in asked}
    responsible: dict[uuid.UUID, int] = {}
    for child, council in (
        ChildStatus.objects.filter(
            person_id__in=children, status=ChildStatusKind.LOOKED_AFTER, end_date__isnull=True
        )
        .order_by("pk")
        .values_list("person_id", "council_id")
    ):
        responsible.setdefault(child, council)
    episodes: dict[uuid.UUID, list[tuple[dt.datetime, int | None]]] = {}
    for child, last_seen, council in (
        MissingEpisode.objects.filter(child_id__in=children)
        .order_by("-last_seen_at")
        .values_list("child_id", "last_seen_at", "council_id")
    ):
        episodes.setdefault(child, []).append((last_seen, council))
    areas = {
        child: responsible.get(child) or (episodes[child][0][1] if child in episodes else None)
        for child in children
    }
    figures = repeat_figures_by_council(
        Organisation.objects.filter(pk__in={area for area in areas.values() if area is not None})
    )
    found: list[tuple[int, int] | None] = []
    for child, at in asked:
        area = areas[child]
        wanted, days = figures.get(area, (REPEAT_EPISODES, REPEAT_DAYS))
        earlier = sum(
            1
            for last_seen, _council in episodes.get(child, ())
            if at - dt.timedelta(days=days) <= last_seen <= at
        )
        found.append((earlier + 1, days) if earlier + 1 >= wanted else None)
    return found


def _episode_planned(
    actor: Actor,
    data: MissingReportInput,
    recorded: RecordedEvent,
    repeat: tuple[int, int] | None,
    child: uuid.UUID,
) -> tuple[MissingEpisode, RiskGrading, AuditInput]:
    """The episode a missing report opens, its first risk grading and its audit entry, unsaved."""
    event = recorded.event
    council: Organisation | None
    if data.council is not None and data.looked_after is not None:
        council, looked_after = data.council, data.looked_after  # as an imported file says
    else:
        council, looked_after = _child_council(child, recorded)
        if data.council is not None:
            council = data.council
        if data.looked_after is not None:
            looked_after = data.looked_after
    told = [
        share.shared_at
        for share in recorded.shares
        if council is not None and share.recipient_id == council.pk
    ]
    episode = MissingEpisode(
        child_id=child,
        council=council,
        looked_after=looked_after,
        category=data.category,
        risk=data.risk,
        reference=event.reference,
        reported_by=event.recorded_by,
        missing_report=event,
        last_seen_at=event.occurred_at,
        last_seen_where=event.location,
        reported_at=event.reported_at or event.occurred_at,
        council_told_at=told[0] if told else (event.recorded_at if council == event.recorded_by else None),
        recorded_at=event.recorded_at,
        repeat_count=repeat[0] if repeat is not None else None,
    )
    grading = RiskGrading(
        episode=episode,
        risk=data.risk,
        graded_at=episode.reported_at,
        organisation=event.recorded_by,
        graded_by_label=actor.label,
        reason="Graded on the missing report",
    )
    entry = AuditInput(
        action=AuditAction.CREATE,
        object_type="missing-episode",
        object_id=episode.pk,
        person_id=child,
        reason="reported a child missing",
        detail={"event": str(event.pk), "category": data.category, "risk": data.risk, "repeat": repeat},
    )
    return episode, grading, entry


@dataclass(frozen=True)
class FoundInput:
    found_at: dt.datetime | None
    found_where: str = ""
    found_by: str = ""
    summary: str = ""
    postcode: str = ""
    source: str = Source.WEB
    # The reporter's reason for a late notice, where it is asked (recording.checks.EventInput.late_reason).
    late_reason: str | None = None
    # Imported only: whether its shares are history or live work (sharing.models.ImportedAs), and when they
    # reached their recipients (absent: now).
    imported_as: str = ""
    shared_at: dt.datetime | None = None


def _check_found(
    actor: Actor, episode: MissingEpisode, data: FoundInput, placement: Placement | None
) -> None:
    """``placement``: the child's placement when found (``placement_of``)."""
    if not policy.may_report_missing(actor, [placement.provider_id] if placement is not None else []):
        raise NotAllowed("A carer reports found only a child placed with their organisation")
    errors: dict[str, str] = {}
    if episode.found_at is not None:
        errors["found_at"] = "This child has already been recorded as found for this episode"
    elif data.found_at is not None and data.found_at < episode.last_seen_at:
        errors["found_at"] = "When the child was found must be after they were last seen"
    if len(data.found_where) > 300 or len(data.found_by) > 300:
        errors["found_where"] = "Enter at most 300 characters"
    if errors:
        raise InvalidInput(errors)


def _found_event(episode: MissingEpisode, data: FoundInput) -> EventInput:
    return EventInput(
        kind=EventKind.FOUND,
        reference=episode.reference,
        occurred_at=data.found_at,
        reported_at=data.found_at,
        location=data.found_where,
        postcode=data.postcode,
        # Without a postcode, the child's council (as the episode has it) is where it is told.
        council=episode.council if not data.postcode else None,
        summary=data.summary,
        related_event_id=episode.missing_report_id,
        people=[PersonInput(person_id=episode.child_id)],
        source=data.source,
        imported_as=data.imported_as,
        shared_at=data.shared_at,
        late_reason=data.late_reason,
    )


def _found_closing(
    actor: Actor, episode: MissingEpisode, data: FoundInput, recorded: RecordedEvent
) -> tuple[dict, AuditInput]:
    """What a found report changes in its episode, and its audit entry."""
    event = recorded.event
    fields = {
        "found_report": event,
        "found_at": event.occurred_at,
        "found_where": data.found_where or event.location,
        "found_by": data.found_by or actor.label,
    }
    entry = AuditInput(
        action=AuditAction.UPDATE,
        object_type="missing-episode",
        object_id=episode.pk,
        person_id=episode.child_id,
        reason="recorded a missing child found",
        detail={"event": str(event.pk)},
    )
    return fields, entry


def _each(episodes: Sequence[MissingEpisode], name: str) -> object:
    """An UPDATE's value for one column of several episodes: the value itself when it is the same for all,
    else each episode's by its id (a CASE)."""
    values = [getattr(episode, name) for episode in episodes]
    if all(value == values[0] for value in values):
        return values[0]
    field = MissingEpisode._meta.get_field(name.removesuffix("_id"))
    assert isinstance(field, models.Field)
    return Case(
        *(When(pk=episode.pk, then=Value(value)) for episode, value in zip(episodes, values, strict=True)),
        output_field=field,
    )


ALREADY_FOUND = "This child has already been recorded as found for this episode"


def found_report_record(
    *, actor: Actor, episode: MissingEpisode, data: FoundInput, also: AlsoWrite | None = None
) -> RecordedEpisode:
    """Record that a missing child was found or came back: a found report shared like the missing report (and
    with the return-interview service), which starts the 72-hour return interview clock."""
    _check_found(actor, episode, data, placement_of(episode.child_id, data.found_at))
    made: list[MissingEpisode] = []

    def write_found(recorded: RecordedEvent) -> None:
        fields, entry = _found_closing(actor, episode, data, recorded)
        # Only the first found report closes the episode (two agencies recording it at once).
        closed = MissingEpisode.objects.filter(pk=episode.pk, found_at__isnull=True).update(**fields)
        if not closed:
            raise InvalidInput({"found_at": ALREADY_FOUND})
        audit_append([(actor, entry)])
        made.append(MissingEpisode.objects.get(pk=episode.pk))
        if also is not None:
            also(recorded)

    recorded = event_record(actor=actor, data=_found_event(episode, data), also=write_found)
    return RecordedEpisode(made[0], recorded)


def found_reports_record_many(
    *, actor: Actor, closing: Sequence[tuple[MissingEpisode, FoundInput]]
) -> list[RecordedEpisode]:
    """``found_report_record`` for many episodes at once, in the caller's transaction (an import's chunk): the
    same checks, reports, episode changes and audit entries, the placements read in one query, the reports
    planned together (``events_record_many``) and the episodes closed in one statement. Each episode once."""
    placements = placements_of([(episode.child_id, data.found_at) for episode, data in closing])
    for (episode, data), placement in zip(closing, placements, strict=True):
        _check_found(actor, episode, data, placement)
    recorded = events_record_many(
        events_check_many(actor=actor, inputs=[_found_event(episode, data) for episode, data in closing])
    )
    entries: list[tuple[Actor, AuditInput]] = []
    for (episode, data), one in zip(closing, recorded, strict=True):
        fields, entry = _found_closing(actor, episode, data, one)
        for name, value in fields.items():
            setattr(episode, name, value)
        entries.append((actor, entry))
    episodes = [episode for episode, _data in closing]
    # Only the first found report closes an episode (two agencies recording it at once).
    closed = MissingEpisode.objects.filter(
        pk__in=[episode.pk for episode in episodes], found_at__isnull=True
    ).update(
        **{name: _each(episodes, name) for name in ("found_report_id", "found_at", "found_where", "found_by")}
    )
    if closed != len(episodes):
        raise InvalidInput({"found_at": ALREADY_FOUND})
    audit_append(entries)
    return [RecordedEpisode(episode, one) for episode, one in zip(episodes, recorded, strict=True)]


def risk_grade(*, actor: Actor, episode: MissingEpisode, risk: str, reason: str = "") -> RiskGrading:
    """The police change an episode's risk grading; every grading is kept with who made it and why."""
    if not policy.may_grade_missing_risk(actor):
        raise NotAllowed("Only the police grade the risk of a missing child")
    errors = {}
    if risk not in Risk.values:
        errors["risk"] = "Choose the risk: no apparent risk, low, medium or high"
    if not reason.strip():
        errors["reason"] = "Say why the risk is graded this way"
    if errors:
        raise InvalidInput(errors)
    assert actor.organisation is not None
    with write_transaction():
        grading = RiskGrading.objects.create(
            episode=episode,
            risk=risk,
            graded_at=timezone.now(),
            organisation=actor.organisation,
            graded_by_label=actor.label,
            reason=reason.strip(),
        )
        MissingEpisode.objects.filter(pk=episode.pk).update(risk=risk)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="graded the risk of a missing child",
            detail={"risk": risk, "was": episode.risk},
        )
    episode.risk = risk
    return grading


def episode_update_add(*, actor: Actor, episode: MissingEpisode, text: str) -> EpisodeUpdate:
    """Any agency that may see the episode adds what it learns while the child is missing."""
    if not policy.works_cases(actor) or actor.organisation is None:
        raise NotAllowed("Only case-working roles add updates")
    if not text.strip():
        raise InvalidInput({"text": "Enter the update"})
    with write_transaction():
        update = EpisodeUpdate.objects.create(
            episode=episode,
            at=timezone.now(),
            organisation=actor.organisation,
            by_label=actor.label,
            text=text.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="added an update to a missing episode",
        )
    return update


def safe_and_well_record(
    *, actor: Actor, episode: MissingEpisode, at: dt.datetime | None, notes: str = ""
) -> MissingEpisode:
    """The police record the safe-and-well check made when the child is back."""
    if not policy.may_grade_missing_risk(actor):
        raise NotAllowed("Only the police record the safe-and-well check")
    problem = instant_problem(
        at,
        now=timezone.now(),
        missing="Enter when the check was made",
        future="The check must be in the past",
    )
    errors = {"at": problem} if problem else {}
    if not errors and (episode.found_at is None or at is None or at < episode.found_at):
        errors["at"] = "The safe-and-well check is made after the child is found"
    if errors:
        raise InvalidInput(errors)
    with write_transaction():
        MissingEpisode.objects.filter(pk=episode.pk).update(
            safe_and_well_at=at, safe_and_well_by=actor.label, safe_and_well_notes=notes.strip()
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="recorded the safe-and-well check",
        )
    episode.refresh_from_db()
    return episode


def seen_with_add(episode: MissingEpisode, items: Sequence[tuple[str, str]]) -> None:
    """Keep the places and associates of an episode, keyed as agencies would type them, for the patterns list."""
    SeenWith.objects.bulk_create(
        SeenWith(
            episode=episode,
            child_id=episode.child_id,
            council_id=episode.council_id,
            kind=kind,
            name=name[:200],
            key=name_key(name, "")[:200],
        )
        for kind, name in items
        if name_key(name, "")
    )
