"""Reads of the audit trail."""

import uuid

from django.db.models import QuerySet

from openmash.audit.models import AuditAction, AuditEntry


def audit_person_access_list(*, person_id: uuid.UUID, limit: int = 50) -> QuerySet[AuditEntry]:
    """Who has looked at or changed a person's record, newest first (the record's audit panel)."""
    return AuditEntry.objects.filter(
        person_id=person_id,
        action__in=[AuditAction.VIEW, AuditAction.CREATE, AuditAction.UPDATE, AuditAction.EXPORT],
    ).order_by("-sequence")[:limit]
