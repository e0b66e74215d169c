"""Idempotency-Key for API writes that are not events recorded by api.sharing (a vetting request and its
stages, a missing episode's risk and interview, a meeting's steps): the same rule as api.sharing's for events. A retry with the same key, method, path and body gets the first answer and writes
nothing twice; the same key with a different body is refused (422). The answer is stored in the write's own
transaction, so a committed write is always answered."""

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.responses import Status

from openmash.accounts.actors import Actor
from openmash.api.openapi import IDEMPOTENCY_KEY
from openmash.api.problems import problem
from openmash.sharing.models import IdempotentRequest

# Declared on each such operation (``openapi_extra``), as api.openapi does for the endpoints that record events.
TAKES_IDEMPOTENCY_KEY = {"parameters": [IDEMPOTENCY_KEY]}
KEY_LENGTH = IdempotentRequest._meta.get_field("key").max_length or 0


def idempotent(
    request: HttpRequest,
    actor: Actor,
    payload: Schema,
    write: Callable[[], dict[str, Any]],
    status: int = 201,
    *,
    within: Callable[[], AbstractContextManager[Any]] = transaction.atomic,
) -> HttpResponse | Status:
    """Run ``write`` (which returns the answer's body, as JSON values) once per Idempotency-Key, inside
    ``within`` (a transaction; ``database.write_transaction`` for writes that need SQLite's write gate)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > KEY_LENGTH or not key.isprintable():
        return problem(
            request, 400, "Bad request", f"Idempotency-Key must be at most {KEY_LENGTH} printable characters"
        )
    if not key:
        with within():
            return Status(status, write())
    assert actor.organisation is not None  # every API client belongs to an organisation
    same = {
        "organisation_id": actor.organisation.pk,
        "method": request.method or "",
        "path": request.path,
        "key": key,
    }
    digest = hashlib.sha256(json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()

    def replay(existing: IdempotentRequest) -> HttpResponse | Status:
        if existing.request_digest != digest:
            return problem(
                request, 422, "Unprocessable content", "This Idempotency-Key was used for a different request"
            )
        return Status(existing.status, existing.body)

    existing = IdempotentRequest.objects.filter(**same).first()
    if existing is not None:
        return replay(existing)
    try:
        with within():
            body = write()
            IdempotentRequest.objects.create(
                **same,
                api_client_id=actor.api_client.pk if actor.api_client is not None else 0,
                request_digest=digest,
                status=status,
                body=body,
            )
    except IntegrityError:
        # The same key raced in from another request and won; this write was rolled back with it.
        raced = IdempotentRequest.objects.filter(**same).first()
        if raced is None:  # not the key's constraint: the write's own
            raise
        return replay(raced)
    return Status(status, body)
