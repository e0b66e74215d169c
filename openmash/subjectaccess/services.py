"""Answering a subject access request: checked (the policy, then every field error at once), the record gathered
(``collect.subject_access_document``), then one transaction that keeps the request and audits the export.

The reason the data protection officer reads the whole record is the request itself: it must be given, with
the council's reference and the day it was received, before anything is read. An officer sees no case work
otherwise (``policy.may_answer_subject_access``)."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor, operator_actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import write_transaction
from openmash.lib.errors import InvalidInput, NotFound
from openmash.lib.govuk import govuk_date, govuk_datetime
from openmash.lib.names import search_key
from openmash.people.models import Person
from openmash.people.selectors import reason_to_see
from openmash.subjectaccess.collect import Document, subject_access_document
from openmash.subjectaccess.models import SubjectAccessExport

REFERENCE_LONGEST = SubjectAccessExport._meta.get_field("reference").max_length or 0


@dataclass(frozen=True)
class Export:
    request: SubjectAccessExport
    document: Document


def person_to_answer_for(actor: Actor, person_id: object) -> Person:
    """The person, if the actor may answer a subject access request about them for its council; NotFound as
    for a record that is not there (whether a record exists is itself sensitive)."""
    try:
        pid = uuid.UUID(str(person_id))
    except ValueError as error:
        raise NotFound("No such person") from error
    person = Person.objects.filter(pk=pid, merged_into__isnull=True).first()
    if person is None or actor.organisation is None:
        raise NotFound("No such person")
    # Whether the council holds anything on them: what its own practitioners would have a reason to see.
    holds = reason_to_see(operator_actor(actor.organisation), pid) is not None
    if not policy.may_answer_subject_access(actor, council_holds_person=holds):
        raise NotFound("No such person")
    return person


def request_problems(reference: str, received_on: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reference.strip():
        errors["reference"] = "Enter the request's reference"
    elif len(reference.strip()) > REFERENCE_LONGEST:
        errors["reference"] = f"Enter at most {REFERENCE_LONGEST} characters"
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif received_on > timezone.localdate():
        errors["received_on"] = "The date the request was received must be today or in the past"
    return errors


def subject_access_export(
    *, actor: Actor, person_id: object, reference: str, received_on: dt.date | None
) -> Export:
    """Everything held about a person, for the officer to review and release; the request kept and the export
    audited (who exported whom, when, under which request). Nothing is written on error."""
    person = person_to_answer_for(actor, person_id)
    errors = request_problems(reference, received_on)
    if errors:
        raise InvalidInput(errors)
    assert actor.organisation is not None and received_on is not None
    now = timezone.now()
    document = subject_access_document(
        person.pk,
        actor.organisation,
        {
            "reference": reference.strip(),
            "received_on": received_on.isoformat(),
            "received": govuk_date(received_on),
            "answered_by": actor.organisation.name,
            "exported_at": now.isoformat(),
            "exported": govuk_datetime(now),
            "exported_by": actor.label,
        },
    )
    marked = sum(document.review_counts().values())
    with write_transaction():
        request = SubjectAccessExport.objects.create(
            council=actor.organisation,
            person=person,
            reference=reference.strip(),
            received_on=received_on,
            exported_at=now,
            exported_by_label=actor.label,
            marked_for_review=marked,
        )
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="subject-access",
            object_id=request.pk,
            person_id=person.pk,
            reason=f"subject access request {reference.strip()}"[:300],
            detail={"received_on": received_on.isoformat(), "marked_for_review": marked},
        )
    return Export(request=request, document=document)


def due_on(received_on: dt.date) -> dt.date:
    """The day an answer is due: one calendar month from receipt (UK GDPR Art 12(3); the ICO counts from the
    day received to the same day next month, or that month's last day if it has no such day)."""
    year, month = (
        (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    )
    for day in (received_on.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def people_to_answer_for(
    *,
    actor: Actor,
    reference: str,
    received_on: dt.date | None,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
) -> list[Person]:
    """The records the council holds of a person named in a request: exactly this name (as search compares
    names: case, accents and hyphens ignored) and date of birth. The request is the reason for looking: its
    reference and date come first, and the search is audited under it."""
    if not policy.answers_subject_access(actor):
        raise NotFound("Subject access requests are answered by a council's data protection officer")
    errors = request_problems(reference, received_on)
    if not (given_name.strip() and family_name.strip()):
        errors["family_name"] = "Enter the person's first and last name, as the request gives them"
    if date_of_birth is None:
        errors["date_of_birth"] = "Enter the person's date of birth, as the request gives it"
    if errors:
        raise InvalidInput(errors)
    assert actor.organisation is not None
    key = search_key(given_name, family_name)
    candidates = (
        Person.objects.filter(merged_into__isnull=True, date_of_birth=date_of_birth, names__search_key=key)
        .distinct()
        .order_by("family_name", "given_name")
    )
    council = operator_actor(actor.organisation)
    found = [person for person in candidates if reason_to_see(council, person.pk) is not None]
    with write_transaction():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type="person",
            reason=f"subject access request {reference.strip()}"[:300],
            detail={"found": len(found)},
        )
    return found


def subject_access_again(*, actor: Actor, export_id: object) -> Export:
    """An export made before, gathered again as the record stands now (to download it as a file): the same
    request is the reason, and it is audited again."""
    try:
        pid = uuid.UUID(str(export_id))
    except ValueError as error:
        raise NotFound("No such request") from error
    request = SubjectAccessExport.objects.filter(pk=pid, council=actor.organisation).first()
    if request is None or actor.organisation is None:
        raise NotFound("No such request")
    person_to_answer_for(actor, request.person_id)
    now = timezone.now()
    document = subject_access_document(
        request.person_id,
        actor.organisation,
        {
            "reference": request.reference,
            "received_on": request.received_on.isoformat(),
            "received": govuk_date(request.received_on),
            "answered_by": actor.organisation.name,
            "exported_at": now.isoformat(),
            "exported": govuk_datetime(now),
            "exported_by": actor.label,
        },
    )
    with write_transaction():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="subject-access",
            object_id=request.pk,
            person_id=request.person_id,
            reason=f"subject access request {request.reference} (downloaded)"[:300],
        )
    return Export(request=request, document=document)
