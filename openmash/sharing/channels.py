"""The channels a share is delivered by: the recipient's inbox (the share itself: delivering is recording that
it arrived), its webhook endpoints (signed with Standard Webhooks, at least once, always with the same
``webhook-id``, in order per endpoint) and an alert (GOV.UK Notify where the organisation has a key;
otherwise logged). Each sender returns an outcome; the outbox (sharing/outbox.py) records it.
"""

import datetime as dt
import ipaddress
import json
import logging
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from openmash.events.models import EventKind
from openmash.lib.govuk import govuk_datetime
from openmash.sharing.content import share_content
from openmash.sharing.models import AlertSetting, Channel, Delivery, Share
from openmash.sharing.outbox import Claimed, finish

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10.0


def webhook_payload(share: Share) -> dict:
    """What the recipient's own system receives: the share as its inbox would show it."""
    return {
        "type": "share.created",
        "timestamp": timezone.now().isoformat(),
        "data": share_content(share),
    }


@dataclass(frozen=True)
class Sent:
    """What became of one signed message: the receiver's HTTP status, or the error that stopped it."""

    status_code: int | None
    error: httpx.HTTPError | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        return f"HTTP {self.status_code}"


class AddressNotAllowed(httpx.HTTPError):
    """The endpoint's host is on a network deliveries may not reach."""


def address_not_allowed(url: str) -> str | None:
    """Why a message may not go to ``url``'s host, or None. A webhook is sent by the service from inside the
    organisation's network, so an endpoint that resolves to a private, loopback or link-local address could
    make it reach internal systems (including a cloud's metadata service): only public addresses, and the
    private networks an operator lists in OPENMASH_WEBHOOK_PRIVATE_NETWORKS (an agency's own network), are
    reached. Loopback only where plain http to this machine is allowed (debugging, the test suite)."""
    host = urlsplit(url).hostname or ""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return None  # not resolvable: sending fails with its own plain error
    for *_family, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address.is_global:
            continue
        if address.is_loopback and settings.WEBHOOK_HTTP_LOOPBACK:
            continue
        if any(address in network for network in settings.WEBHOOK_PRIVATE_NETWORKS):
            continue
        return f"{host} is at {address}, on a network webhooks may not reach"
    return None


def webhook_send(*, url: str, secret: str, message_id: str, body: str) -> Sent:
    """POST one message signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).
    Redirects are not followed: the endpoint is the URL its organisation registered, nowhere else; nor is a
    host on a private network (``address_not_allowed``)."""
    if (refused := address_not_allowed(url)) is not None:
        return Sent(status_code=None, error=AddressNotAllowed(refused))
    sent_at = dt.datetime.now(tz=dt.UTC)
    signature = Webhook(secret).sign(message_id, sent_at, body)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
    except httpx.HTTPError as error:
        return Sent(status_code=None, error=error)
    return Sent(status_code=response.status_code)


def _send_webhook(delivery: Delivery) -> tuple[bool, str]:
    endpoint = delivery.endpoint
    assert endpoint is not None
    body = json.dumps(webhook_payload(delivery.share), default=str)
    sent = webhook_send(url=endpoint.url, secret=endpoint.secret, message_id=delivery.message_id, body=body)
    return sent.ok, sent.outcome


@dataclass(frozen=True)
class AlertFacts:
    """What an alert says and to whom, read for a whole batch at once."""

    recipient_id: int
    recipient_code: str
    kind: str
    due_at: dt.datetime | None
    named_email: str | None


def _alert_facts(batch: Sequence[Claimed]) -> dict[uuid.UUID, AlertFacts]:
    rows = Share.objects.filter(pk__in=[claimed.share_id for claimed in batch]).values_list(
        "pk", "recipient_id", "recipient__code", "event__kind", "due_at", "named_recipient__email"
    )
    return {
        pk: AlertFacts(recipient_id, code, kind, due_at, email)
        for pk, recipient_id, code, kind, due_at, email in rows
    }


def _alert_message(facts: AlertFacts) -> str:
    # No personal data in alerts: they say where to look and by when, nothing about the child.
    due = govuk_datetime(facts.due_at) if facts.due_at else "no deadline"
    return f"New {EventKind(facts.kind).label.lower()} in your OpenMASH inbox (due {due})"


def _log_alert(claimed: Claimed, facts: AlertFacts) -> tuple[bool, str]:
    if logger.isEnabledFor(logging.INFO):  # the message is worth making only if it is written
        logger.info(
            "Alert for %s (no GOV.UK Notify key, logged only): %s",
            facts.recipient_code,
            _alert_message(facts),
            extra={"request_id": claimed.request_id, "share_id": str(claimed.share_id)},
        )
    return True, "logged: no GOV.UK Notify key configured"


def send_by_notify(claimed: Claimed, facts: AlertFacts, setting: AlertSetting) -> tuple[bool, str]:
    from notifications_python_client.errors import HTTPError as NotifyError
    from notifications_python_client.notifications import NotificationsAPIClient

    options = {"base_url": setting.notify_base_url} if setting.notify_base_url else {}
    client = NotificationsAPIClient(setting.notify_api_key, **options)
    addresses = [line.strip() for line in setting.email_addresses.splitlines() if line.strip()]
    if facts.named_email:
        addresses.append(facts.named_email)
    try:
        for address in addresses:
            client.send_email_notification(
                email_address=address,
                template_id=setting.email_template_id,
                personalisation={"message": _alert_message(facts), "share_id": str(claimed.share_id)},
                reference=claimed.message_id,
            )
    except (NotifyError, OSError) as error:
        return False, f"GOV.UK Notify: {error}"
    return True, f"sent by GOV.UK Notify to {len(addresses)} address(es)"


def failed(claimed: Claimed, error: Exception) -> tuple[Claimed, bool, str]:
    # One broken delivery must not stop the others: it is retried, and visible until it succeeds.
    logger.exception("Delivery %s failed", claimed.id)
    return claimed, False, f"{type(error).__name__}: {error}"


type Outcome = tuple[Claimed, bool, str]
type ByNotify = tuple[Claimed, AlertFacts, AlertSetting]


def deliver_here(batch: Sequence[Claimed]) -> tuple[list[Outcome], list[ByNotify]]:
    """The outcomes of a batch's inbox deliveries and logged alerts, and the alerts still to send by GOV.UK
    Notify. The inbox is the share itself, so delivering to it is recording that it arrived; alerts read
    their shares and the recipients' Notify settings once for the whole batch."""
    alerts = [claimed for claimed in batch if claimed.channel == Channel.ALERT]
    facts = _alert_facts(alerts) if alerts else {}
    recipients = {fact.recipient_id for fact in facts.values()}
    notify = {
        setting.organisation_id: setting
        for setting in AlertSetting.objects.filter(organisation_id__in=recipients).exclude(notify_api_key="")
    }
    outcomes: list[Outcome] = []
    by_notify: list[ByNotify] = []
    for claimed in batch:
        if claimed.channel == Channel.INBOX:
            outcomes.append((claimed, True, "in the recipient's inbox"))
            continue
        try:
            fact = facts[claimed.share_id]
            setting = notify.get(fact.recipient_id)
            if setting is None:
                outcomes.append((claimed, *_log_alert(claimed, fact)))
            else:
                by_notify.append((claimed, fact, setting))
        except Exception as error:
            outcomes.append(failed(claimed, error))
    return outcomes, by_notify


def deliver_webhook(claimed: Claimed, worker_id: str) -> None:
    """Send one webhook and record its outcome at once: it went to another system."""
    try:
        delivery = Delivery.objects.select_related("share__event", "endpoint").get(pk=claimed.id)
        outcome = (claimed, *_send_webhook(delivery))
    except Exception as error:
        outcome = failed(claimed, error)
    finish([outcome], worker_id=worker_id)
