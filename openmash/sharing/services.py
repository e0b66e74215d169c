"""What recipients do with a share: read it, acknowledge it with a decision; and escalation when nobody does."""

import base64
import datetime as dt
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import Role
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import write_transaction
from openmash.events.models import Event, EventKind, Source
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing import routing
from openmash.sharing.channels import AddressNotAllowed, Sent, webhook_send
from openmash.sharing.models import (
    COUNCIL_DECISIONS,
    FOUND_DECISIONS,
    MISSING_DECISIONS,
    Decision,
    Delivery,
    DeliveryStatus,
    Escalation,
    ImportedAs,
    Share,
    WebhookEndpoint,
)
from openmash.sharing.outbox import forget_endpoints, replay
from openmash.sharing.routing import FRONT_DOOR_KINDS


def _recipient_practitioner(actor: Actor, share: Share) -> None:
    if not policy.may_act_on_share(actor, share.recipient_id):
        raise NotAllowed("Only the receiving organisation's practitioners act on a share")


def share_mark_read(*, actor: Actor, share: Share) -> Share:
    """The first time someone in the receiving organisation opens the share."""
    if actor.organisation is None or actor.organisation.pk != share.recipient_id or share.first_read_at:
        return share
    now = timezone.now()
    updated = Share.objects.filter(pk=share.pk, first_read_at__isnull=True).update(
        first_read_at=now, first_read_by_label=actor.label
    )
    if updated:
        share.first_read_at, share.first_read_by_label = now, actor.label
    return share


def front_door_decides(share: Share) -> bool:
    """Whether acknowledging this share means a front-door decision (with reasons) rather than "noted"."""
    return share.recipient.kind == OrganisationKind.COUNCIL and share.event.kind in FRONT_DOOR_KINDS


def answered_by_a_step(share: Share) -> bool:
    """Whether the share asks for an answer given on the work's own page (routing.ANSWER_CLOCKS), so it is
    acknowledged by that answer rather than from the inbox."""
    return share.clock_rule in routing.ANSWERED_BY_A_STEP


# The decisions that apply to each kind of notification a front door decides on; every other kind (a
# domestic abuse incident, police protection, a referral, information) takes the referral decisions.
DECISIONS_BY_KIND: dict[str, list[Decision]] = {
    EventKind.MISSING: MISSING_DECISIONS,
    EventKind.FOUND: FOUND_DECISIONS,
}


def decisions_for(share: Share) -> list[Decision]:
    """What the recipient may decide on this share: a front door's next steps that fit the kind of event;
    for everyone else (a school's Operation Encompass notice included) only that it was read and noted."""
    if answered_by_a_step(share):
        return []
    if not front_door_decides(share):
        return [Decision.NOTED]
    return list(DECISIONS_BY_KIND.get(share.event.kind, COUNCIL_DECISIONS))


def decision_list(decisions: list[Decision]) -> str:
    labels = [str(decision.label).lower() for decision in decisions]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def shares_answered(*, actor: Actor, event: Event, answer: str, at: dt.datetime | None = None) -> int:
    """A step of joint work that waited for an answer has been answered (by either agency, on its own page):
    its shares are acknowledged with the answer, which stops their deadline and any further escalation. Called
    inside the answering step's transaction, which audits it."""
    at = at or timezone.now()
    return Share.objects.filter(
        event=event, acknowledged_at__isnull=True, clock_rule__in=routing.ANSWERED_BY_A_STEP
    ).update(
        acknowledged_at=at,
        acknowledged_by=actor.user,
        acknowledged_by_label=actor.label,
        decision=Decision.ANSWERED,
        decision_reasons=answer,
        first_read_by_label=Case(
            When(first_read_at__isnull=True, then=Value(actor.label)), default=F("first_read_by_label")
        ),
        first_read_at=Coalesce(F("first_read_at"), Value(at)),
    )


# Escalations are raised in batches, each its own short transaction, and a sweep stops after this long so the
# worker's deliveries are not held up when thousands fall overdue at once (an imported backlog); the next sweep,
# 15 seconds later, carries on.
ESCALATION_BATCH = 500
ESCALATION_SWEEP_SECONDS = 1.0


def escalate_overdue(*, now: dt.datetime | None = None, seconds: float = ESCALATION_SWEEP_SECONDS) -> int:
    """Raise unacknowledged shares past their deadline: first to the recipient's team managers, then, once as
    long again has passed, to the safeguarding partnership. Safe with several workers: each batch locks the
    shares it raises (skipping those another worker holds) and moves them up one level in one transaction."""
    now = now or timezone.now()
    began = time.monotonic()
    raised = batches = 0
    for level in (1, 2):
        rows = list(
            Share.objects.filter(acknowledged_at__isnull=True, due_at__lt=now, escalation_level=level - 1)
            .exclude(event__source=Source.HELD)  # an import not all in yet: no one has been told
            .exclude(imported_as=ImportedAs.HISTORY)  # handled elsewhere: nobody's work now
            .order_by("due_at")
            .values_list(
                "pk",
                "due_at",
                "shared_at",  # the recipient's clock runs from arrival (clocks.deadlines)
                "recipient_id",
                "recipient__kind",
                "recipient__parent_id",
            )
        )
        if level == 2:
            rows = [row for row in rows if _long_overdue(row[1], row[2], now)]
        targets = _escalation_targets(level, rows)
        for first in range(0, len(rows), ESCALATION_BATCH):
            if batches and time.monotonic() - began > seconds:
                return raised  # at least one batch a sweep, so a slow database still makes progress
            batches += 1
            chunk = [row[0] for row in rows[first : first + ESCALATION_BATCH]]
            with write_transaction():
                mine = list(
                    Share.objects.select_for_update(skip_locked=True)
                    .filter(pk__in=chunk, escalation_level=level - 1)
                    .values_list("pk", flat=True)
                )
                Share.objects.filter(pk__in=mine).update(escalation_level=level)
                Escalation.objects.bulk_create(
                    [
                        Escalation(
                            share_id=pk, level=level, at=now, to_organisation_id=targets[pk], to_role=role
                        )
                        for pk in mine
                        for role in [Role.TEAM_MANAGER if level == 1 else Role.PARTNERSHIP_LEAD]
                    ],
                    ignore_conflicts=True,
                )
            raised += len(mine)
    return raised


def _long_overdue(due: dt.datetime | None, started: dt.datetime, now: dt.datetime) -> bool:
    """Overdue by as long again as the share had to be acknowledged in."""
    return due is not None and now >= due + (due - started)


def _escalation_targets(level: int, rows: list[tuple]) -> dict[object, int]:
    """Share id -> the organisation raised to: the recipient itself (its team managers) at level 1; at level 2
    the partnership of the recipient's council (the recipient when it is a council, a school's council), or
    the recipient where there is no partnership on the service."""
    if level == 1:
        return {pk: recipient for pk, _d, _s, recipient, _k, _p in rows}
    council_of = {
        pk: recipient if kind == OrganisationKind.COUNCIL else parent
        for pk, _d, _s, recipient, kind, parent in rows
    }
    partnerships = dict(
        Organisation.objects.filter(
            kind=OrganisationKind.PARTNERSHIP, parent_id__in={c for c in council_of.values() if c}
        ).values_list("parent_id", "pk")
    )
    return {pk: partnerships.get(council_of[pk]) or recipient for pk, _d, _s, recipient, _k, _p in rows}


def delivery_replay(*, actor: Actor, delivery: Delivery) -> Delivery:
    """Send a stuck (dead-lettered) delivery again. The receiving organisation's administrators or case
    workers may replay their own."""
    if not policy.may_replay_delivery(actor, delivery.share.recipient_id):
        raise NotAllowed("Only the receiving organisation may replay its deliveries")
    if delivery.status != DeliveryStatus.DEAD:
        raise InvalidInput({"delivery": "Only a stuck delivery can be sent again"})
    if delivery.endpoint is not None and not delivery.endpoint.active:
        raise InvalidInput({"delivery": "Its webhook endpoint was removed, so it cannot be sent again"})
    with transaction.atomic():
        replayed = replay(delivery)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="delivery",
            object_id=delivery.pk,
            reason="replayed a stuck delivery",
        )
    return replayed


# Webhook endpoints: an organisation's administrators (on the web) and its API clients register, test,
# re-key and remove their own. Each change is audited with it, and every process's remembered list of the
# organisation's endpoints (delivery.active_endpoints) is forgotten here at once and elsewhere within seconds.

WEBHOOK_URL_MAX_LENGTH = 500
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown once, after it is made; the receiver needs it to check signatures


@dataclass(frozen=True)
class WebhookTestResult:
    delivered: bool
    status_code: int | None
    outcome: str  # in plain words, for the administrator


def _may_manage(actor: Actor, organisation: Organisation) -> None:
    if not policy.may_manage_webhooks(actor, organisation):
        raise NotFound("No such webhook endpoint")


def webhook_url_check(url: str) -> str:
    """The URL, tidied, if it may receive shares: https (plain http only to this machine, where settings
    allow it), and no user name or password in it (the signature is the credential)."""
    url = url.strip()
    if not url:
        raise InvalidInput({"url": "Enter the URL of the endpoint"})
    if len(url) > WEBHOOK_URL_MAX_LENGTH:
        raise InvalidInput({"url": f"The URL must be {WEBHOOK_URL_MAX_LENGTH} characters or fewer"})
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise InvalidInput(
            {"url": "Enter a URL in the correct format, like https://example.org/openmash/webhooks"}
        ) from None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            {"url": "The URL must not contain a user name or password: messages are signed with a secret"}
        )
    if parts.scheme != "https" and not (
        settings.WEBHOOK_HTTP_LOOPBACK and (parts.hostname or "") in _LOOPBACK_HOSTS
    ):
        raise InvalidInput({"url": "The URL must start with https://"})
    return url


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _endpoints_changed(organisation_id: int) -> None:
    # The save already forgot them (delivery._forget_endpoints); forgetting again after the commit stops a
    # read between the save and the commit remembering the old list.
    transaction.on_commit(lambda: forget_endpoints(organisation_id))


def webhook_endpoint_create(*, actor: Actor, url: str) -> EndpointWithSecret:
    """Register an endpoint of the actor's organisation, with a new secret; new shares go to it at once."""
    organisation = actor.organisation
    if organisation is None:
        raise NotFound("No such webhook endpoint")
    _may_manage(actor, organisation)
    url = webhook_url_check(url)
    if WebhookEndpoint.objects.filter(organisation=organisation, url=url, active=True).exists():
        raise InvalidInput({"url": "Your organisation already has an endpoint with this URL"})
    secret = _new_secret()
    endpoint = WebhookEndpoint(organisation=organisation, url=url, secret=secret)
    endpoint.full_clean()
    with transaction.atomic():
        endpoint.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="webhook-endpoint",
            object_id=endpoint.pk,
            detail={"organisation": organisation.code, "url": url},
        )
        _endpoints_changed(organisation.pk)
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def webhook_endpoint_rotate_secret(*, actor: Actor, endpoint: WebhookEndpoint) -> EndpointWithSecret:
    """Give the endpoint a new secret. Every message from now on, retries included, is signed with it."""
    _may_manage(actor, endpoint.organisation)
    secret = _new_secret()
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.save(update_fields=["secret"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="webhook-endpoint",
            object_id=endpoint.pk,
            reason="rotated its secret",
            detail={"url": endpoint.url},
        )
        _endpoints_changed(endpoint.organisation_id)
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def webhook_endpoint_remove(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Stop sending to the endpoint. One never used is deleted; one with deliveries is kept, switched off, as
    their record, and what was still waiting to go to it is stopped (on the share's timeline, never sent)."""
    _may_manage(actor, endpoint.organisation)
    with transaction.atomic():
        if Delivery.objects.filter(endpoint=endpoint).exists():
            Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.DEAD,
                dead_at=timezone.now(),
                lease_until=None,
                last_error="Not sent: the webhook endpoint was removed",
            )
            endpoint.active = False
            endpoint.save(update_fields=["active"])
        else:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="webhook-endpoint",
            object_id=endpoint.pk,
            detail={"url": endpoint.url},
        )
        _endpoints_changed(endpoint.organisation_id)


def _test_outcome(sent: Sent) -> str:
    if sent.ok:
        return f"The endpoint accepted the test message (it answered {sent.status_code})."
    if isinstance(sent.error, httpx.TimeoutException):
        return "The endpoint did not answer within 10 seconds."
    if isinstance(sent.error, AddressNotAllowed):
        return (
            "OpenMASH does not send to private or internal network addresses. Use the endpoint's public "
            "address, or ask the service's operators to allow your organisation's network."
        )
    if isinstance(sent.error, httpx.ConnectError):
        return "OpenMASH could not connect to the endpoint. Check the URL and that it accepts connections."
    if sent.error is not None:
        return "The test message could not be sent. Check the URL."
    if sent.status_code in (401, 403):
        return (
            f"The endpoint refused the test message (it answered {sent.status_code}). "
            "Check that it checks signatures with this endpoint's current secret."
        )
    return f"The endpoint did not accept the test message (it answered {sent.status_code})."


def webhook_endpoint_test(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookTestResult:
    """Send a signed test message (type ``webhook.test``) now, and say what happened. Nothing else is sent."""
    _may_manage(actor, endpoint.organisation)
    message_id = f"msg_{new_id().hex}"
    body = json.dumps(
        {
            "type": "webhook.test",
            "timestamp": timezone.now().isoformat(),
            "data": {"organisation": endpoint.organisation.code, "endpoint_id": endpoint.pk},
        }
    )
    # Sent outside any transaction: a slow receiver must not hold a database lock.
    sent = webhook_send(url=endpoint.url, secret=endpoint.secret, message_id=message_id, body=body)
    result = WebhookTestResult(delivered=sent.ok, status_code=sent.status_code, outcome=_test_outcome(sent))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="webhook-test",
            object_id=message_id,
            reason="sent a test message to a webhook endpoint",
            detail={"endpoint": endpoint.pk, "url": endpoint.url, "result": sent.outcome},
        )
    return result
