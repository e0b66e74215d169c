"""The audit trail: every read of a person's record and every write, append-only and hash-chained.

Each entry's hash is keyed (HMAC-SHA256 with a key held outside the database) and covers its own fields and
the previous entry's hash, so changing or deleting any entry breaks every link after it, and without the key
no one can hash a changed chain again; ``openmash audit verify`` finds the first break, and checks the signed
checkpoints kept outside the database (docs/decisions/0011). The database refuses UPDATE
and DELETE on this table (triggers in the migration), and the model refuses them too.
"""

from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Removed"
    SIGN_IN = "sign-in", "Signed in"
    SIGN_IN_FAILED = "sign-in-failed", "Sign-in failed"
    SIGN_OUT = "sign-out", "Signed out"
    GRANT = "grant", "Access granted"
    EXPORT = "export", "Exported"


class AppendOnlyError(Exception):
    pass


class AuditEntry(models.Model):
    # Allocated under the chain-head lock, so it has no gaps and is covered by the hash.
    sequence = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    # Copied, not foreign keys: the trail must outlive and not change with the accounts it names.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=300)
    organisation_code = models.CharField(max_length=40)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    person_id = models.UUIDField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    # Not a unique index: two entries can only share a hash if they share the previous hash and every field,
    # sequence included, which the chain itself rules out (``openmash audit verify`` checks it). An index
    # of random keys would cost a write to a random page for every entry and is never looked up.
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be removed")


class AuditChainHead(models.Model):
    """One row holding the newest hash. Locking it serialises appends so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # The first entry hashed with the audit key (HMAC-SHA256); entries before it, written before keyed
    # hashes, are plain SHA-256 and vouched for by the signed checkpoints, which record this number too.
    keyed_from = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"audit head at #{self.last_sequence}"
