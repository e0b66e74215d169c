"""Kill a worker with SIGKILL in the middle of delivering: after a restart every share reaches every inbox
exactly once and every webhook at least once, always with the same webhook id; a receiver that was down
gets everything once it recovers, in order."""

import threading
import time

from django.db.models import Count, Q

from openmash.accounts.actors import actor_for_user
from openmash.recording.services import event_record
from openmash.sharing.models import Channel, Delivery, DeliveryStatus, Share, WebhookEndpoint
from tests.sharing.receivers import Receiver

from .conftest import wait_until

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class SlowReceiver(Receiver):
    """Takes a while over each request, so that a worker is caught in the middle of one."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        handler = self.server.RequestHandlerClass
        original = handler.do_POST

        def slow(handler_self):
            time.sleep(self.delay)
            original(handler_self)

        handler.do_POST = slow


def _record(cast, incident_input, count: int) -> None:
    officer = actor_for_user(cast.users["police.officer"])
    for n in range(count):
        event_record(actor=officer, data=incident_input(reference=f"CLE-26-9{n:03d}"))


def test_sigkill_mid_delivery_loses_nothing_and_duplicates_no_inbox(
    committed_cast, incident_input, processes
):
    receiver = SlowReceiver(delay=0.3)
    try:
        WebhookEndpoint.objects.create(
            organisation=committed_cast.organisations["council"], url=receiver.url, secret=SECRET
        )
        _record(committed_cast, incident_input, 12)
        first = processes.start("worker", "--poll", "0.05")
        wait_until(lambda: len(receiver.received) >= 3, 30, "the first worker to deliver some webhooks")
        processes.kill(first)  # in the middle of a slow webhook, with inbox deliveries done and undone
        killed_at = len(receiver.received)
        assert Delivery.objects.filter(status=DeliveryStatus.PENDING).exists(), (
            "the kill came too late to test anything"
        )
        processes.start("worker", "--poll", "0.05")
        wait_until(
            lambda: not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists(),
            90,
            "every delivery to finish",
        )
    finally:
        receiver.close()
    assert not Delivery.objects.filter(status=DeliveryStatus.DEAD).exists()
    assert not Share.objects.filter(delivered_at__isnull=True).exists()
    # Exactly once in the inbox: one successful attempt for every inbox delivery.
    inbox = Delivery.objects.filter(channel=Channel.INBOX).annotate(
        ok=Count("attempt_log", filter=Q(attempt_log__succeeded=True))
    )
    assert sorted({row.ok for row in inbox}) == [1]
    # At least once per webhook, always with its own id; duplicates only as retries of the same id.
    expected = set(Delivery.objects.filter(channel=Channel.WEBHOOK).values_list("message_id", flat=True))
    received = [message["headers"]["webhook-id"] for message in receiver.received]
    assert set(received) == expected and len(expected) == 12
    assert killed_at >= 3


def test_receiver_down_for_a_while_gets_everything_in_order(committed_cast, incident_input, processes):
    receiver = Receiver()
    receiver.up = False
    try:
        WebhookEndpoint.objects.create(
            organisation=committed_cast.organisations["council"], url=receiver.url, secret=SECRET
        )
        _record(committed_cast, incident_input, 5)
        processes.start("worker", "--poll", "0.05")
        wait_until(
            lambda: Delivery.objects.filter(channel=Channel.WEBHOOK, attempts__gte=1).exists(),
            30,
            "a failed attempt",
        )
        threading.Timer(1.0, lambda: setattr(receiver, "up", True)).start()
        # Backoff after the first failure is 5 s; everything arrives after that.
        wait_until(lambda: len(receiver.received) == 5, 60, "all five webhooks after recovery")
    finally:
        receiver.close()
    references = [message["json"]["data"]["reference"] for message in receiver.received]
    assert references == [f"CLE-26-9{n:03d}" for n in range(5)]
