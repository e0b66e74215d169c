"""``openmash people export``: the people an organisation may see, one row each, for checking by hand."""

import csv
from collections.abc import Iterator
from typing import TextIO

from openmash.access import policy
from openmash.accounts.actors import operator_actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import write_transaction
from openmash.events.models import EventSubject
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import IdentifierScheme, PersonIdentifier
from openmash.sharing import selectors as sharing_selectors

COLUMNS = ("person_id", "given_name", "family_name", "date_of_birth", "nhs_number", "upn", "references")


def people_rows(organisation: Organisation) -> Iterator[dict[str, str]]:
    actor = operator_actor(organisation)
    # A school or a carer sees who a child is, not their identifiers (policy.record_scope): nor does its export.
    full = policy.record_scope(actor) == policy.RecordScope.FULL
    people = people_selectors.visible_people(actor).order_by("family_name", "given_name", "pk")
    events = sharing_selectors.visible_events(actor)
    for chunk_start in range(0, people.count(), 5_000):
        chunk = list(people[chunk_start : chunk_start + 5_000])
        ids = [person.pk for person in chunk]
        identifiers: dict[object, dict[str, list[str]]] = {}
        for person_id, scheme, value in PersonIdentifier.objects.filter(person_id__in=ids).values_list(
            "person_id", "scheme", "value"
        ):
            identifiers.setdefault(person_id, {}).setdefault(scheme, []).append(value)
        references: dict[object, set[str]] = {}
        for person_id, reference in (
            EventSubject.objects.filter(person_id__in=ids, event__in=events.values("pk"))
            .exclude(event__reference="")
            .values_list("person_id", "event__reference")
        ):
            references.setdefault(person_id, set()).add(reference)
        for person in chunk:
            known = identifiers.get(person.pk, {}) if full else {}
            yield {
                "person_id": str(person.pk),
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
                "nhs_number": ";".join(sorted(known.get(IdentifierScheme.NHS_NUMBER, []))),
                "upn": ";".join(sorted(known.get(IdentifierScheme.UPN, []))),
                "references": ";".join(sorted(references.get(person.pk, set()))),
            }


def people_export(organisation: Organisation, out: TextIO) -> int:
    """Write the CSV; audit the export as one entry (who, for which organisation, how many)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in people_rows(organisation):
        writer.writerow(row)
        count += 1
    with write_transaction():
        audit_record(
            actor=operator_actor(organisation),
            action=AuditAction.EXPORT,
            object_type="people",
            reason="people export for checking",
            detail={"rows": count},
        )
    return count
