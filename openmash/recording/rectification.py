"""Rectification (UK GDPR Art 16) and telling the recipients (Art 19): a person's details corrected, the old
values kept in the record's history, and the correction shared with every agency that received the person's
details, as a "details corrected" event through the normal path (event, shares, deliveries, inboxes).

Who receives it is routing's rule (``sharing.routing.received_the_details``): every agency a share naming the
person went to. The service shape: the policy, then every field error at once (``people.corrections``), then
one transaction that writes the corrections, records the event and audits.
"""

import uuid
from dataclasses import dataclass

from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.database import write_transaction
from openmash.events.models import EventKind, SubjectRole
from openmash.lib.errors import NotAllowed, NotFound
from openmash.people.corrections import Change, DetailsGiven, corrections_check, corrections_write
from openmash.people.models import Person, PersonCorrection, PersonKind
from openmash.people.selectors import reason_to_see
from openmash.recording.services import EventInput, PersonInput, RecordedEvent, event_record

__all__ = ["Change", "Corrected", "DetailsGiven", "correction_check", "details_correct", "person_to_correct"]


@dataclass(frozen=True)
class Corrected:
    person: Person
    corrections: list[PersonCorrection]
    recorded: RecordedEvent


def person_to_correct(actor: Actor, person_id: uuid.UUID | str) -> Person:
    """The person, if the actor may correct their details; NotFound as for a record that is not there (a 404:
    whether a record exists is itself sensitive)."""
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        raise NotFound("No such person")
    if not policy.may_correct_person_details(actor, reason_to_see(actor, person.pk)):
        raise NotFound("No such person")
    return person


def correction_check(
    *, actor: Actor, person_id: uuid.UUID | str, given: DetailsGiven, why: str
) -> tuple[Person, list[Change]]:
    """Who and what would change (for a "check your answers" page), checked as ``details_correct`` checks it;
    writes nothing."""
    person = person_to_correct(actor, person_id)
    return person, corrections_check(person, given, why)


def _summary(person: Person, changes: list[Change]) -> str:
    """What the recipients read in their inbox, in plain words."""
    said = "; ".join(change.sentence for change in changes)
    return f"Details corrected: {said[0].upper()}{said[1:]}."


def details_correct(*, actor: Actor, person_id: uuid.UUID | str, given: DetailsGiven, why: str) -> Corrected:
    """Correct a person's details and tell every agency that received them. Nothing is saved on error."""
    person, changes = correction_check(actor=actor, person_id=person_id, given=given, why=why)
    if actor.organisation is None:  # the policy refused it already; for the type checker
        raise NotAllowed("Only an organisation corrects a person's details")
    with write_transaction():
        person = Person.objects.select_for_update().get(pk=person.pk)
        recorded = event_record(
            actor=actor,
            data=EventInput(
                kind=EventKind.DETAILS_CORRECTED,
                occurred_at=timezone.now(),
                summary=_summary(person, changes),
                people=[
                    PersonInput(
                        person_id=person.pk,
                        role=SubjectRole.ADULT if person.kind == PersonKind.ADULT else SubjectRole.CHILD,
                    )
                ],
                # What changed, each as the recipient's own system may want it (old and new in words).
                details={
                    "corrections": [
                        {"detail": change.detail, "label": change.label, "was": change.old, "now": change.new}
                        for change in changes
                    ],
                    "why": why.strip(),
                },
            ),
        )
        corrections = corrections_write(
            actor=actor, person=person, changes=changes, why=why, event_id=recorded.event.pk
        )
    return Corrected(person=person, corrections=corrections, recorded=recorded)
