"""Delivery: inbox exactly once, signed webhooks with retries and a dead-letter list, alerts, escalation."""

import datetime as dt

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook

from openmash.accounts.actors import actor_for_user
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.recording.decisions import share_acknowledge
from openmash.sharing import delivery, outbox
from openmash.sharing.models import (
    Channel,
    Decision,
    Delivery,
    DeliveryStatus,
    Escalation,
    Share,
    WebhookEndpoint,
)
from openmash.sharing.selectors import InboxFilters, inbox, inbox_counts, share_content, share_open
from openmash.sharing.services import delivery_replay, escalate_overdue
from openmash.worker import loop

from .conftest import LONDON
from .receivers import Receiver

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def council_hook(cast, receiver):
    return WebhookEndpoint.objects.create(
        organisation=cast.organisations["council"], url=receiver.url, secret=SECRET
    )


def _drain(worker="w1"):
    while delivery.run_once(worker):
        pass


def test_worker_delivers_to_the_inbox_once(cast, record_incident):
    recorded = record_incident()
    mash = actor_for_user(cast.users["mash.practitioner"])
    assert inbox(actor=mash, filters=InboxFilters()) == []  # not delivered yet
    _drain()
    _drain("w2")
    council_share = next(s for s in recorded.shares if s.recipient.code == "E06000004")
    items = inbox(actor=mash, filters=InboxFilters())
    assert [s.pk for s in items] == [council_share.pk]
    council_share.refresh_from_db()
    assert council_share.delivered_at is not None
    assert Delivery.objects.filter(share=council_share, channel=Channel.INBOX).get().attempt_log.count() == 1


def test_webhook_is_signed_and_carries_the_share(cast, record_incident, council_hook, receiver):
    recorded = record_incident()
    _drain()
    [message] = receiver.received
    headers = {key.lower(): value for key, value in message["headers"].items()}
    Webhook(SECRET).verify(message["body"], headers)  # raises if the signature is wrong
    share = next(s for s in recorded.shares if s.recipient.code == "E06000004")
    assert message["json"]["data"]["share_id"] == str(share.pk)
    assert headers["webhook-id"] == Delivery.objects.get(share=share, channel=Channel.WEBHOOK).message_id


def test_failed_webhook_retries_with_backoff_then_dead_letters_and_replays(
    cast, record_incident, council_hook, receiver
):
    receiver.up = False
    record_incident()
    hook = Delivery.objects.get(channel=Channel.WEBHOOK)
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            _drain()
            hook.refresh_from_db()
            assert hook.attempts == attempt
            clock.shift(outbox.backoff(attempt) + dt.timedelta(seconds=1))
    assert hook.status == DeliveryStatus.DEAD and hook.dead_at is not None
    assert "HTTP 503" in hook.last_error
    receiver.up = True
    delivery_replay(actor=actor_for_user(cast.users["mash.practitioner"]), delivery=hook)
    _drain()
    hook.refresh_from_db()
    assert hook.status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1
    assert receiver.received[0]["headers"]["webhook-id"] == hook.message_id


def test_receiver_down_then_up_gets_everything_in_order(cast, record_incident, council_hook, receiver):
    receiver.up = False
    references = [f"CLE-26-20{n}" for n in range(3)]
    for reference in references:
        record_incident(reference=reference)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as clock:
        _drain()
        receiver.up = True
        clock.shift(dt.timedelta(minutes=2))
        _drain()
    assert [m["json"]["data"]["reference"] for m in receiver.received] == references


def test_school_sees_only_the_encompass_notice(cast, record_incident):
    recorded = record_incident()
    school_share = next(s for s in recorded.shares if s.recipient.code == "URN-900001")
    content = share_content(school_share)
    assert [child["given_name"] for child in content["children"]] == ["Amelia"]
    assert content["children"][0]["child_words"] == "I hid upstairs"
    for withheld in ("risk_level", "adults", "details", "postcode"):
        assert withheld not in content
    council_share = next(s for s in recorded.shares if s.recipient.code == "E06000004")
    assert share_content(council_share)["risk_level"] == "medium"
    assert [adult["given_name"] for adult in share_content(council_share)["adults"]] == ["Sarah"]


def test_acknowledgement_records_the_decision_and_the_sender_sees_it(cast, record_incident):
    recorded = record_incident()
    _drain()
    share = next(s for s in recorded.shares if s.recipient.code == "E06000004")
    mash = actor_for_user(cast.users["mash.practitioner"])
    with pytest.raises(InvalidInput) as error:
        share_acknowledge(actor=mash, share=share, decision="noted")
    assert set(error.value.errors) == {"decision", "reasons"}
    with pytest.raises(NotAllowed):
        share_acknowledge(
            actor=actor_for_user(cast.users["bury.social.worker"]),
            share=share,
            decision=Decision.ASSESSMENT,
            reasons="x",
        )
    share_acknowledge(
        actor=mash, share=share, decision=Decision.ASSESSMENT, reasons="Second incident this year"
    )
    sender_view = share_open(actor=actor_for_user(cast.users["police.officer"]), share_id=share.pk)
    assert not sender_view.is_recipient
    assert sender_view.share.decision == Decision.ASSESSMENT
    assert sender_view.share.acknowledged_by_label.startswith("Hannah Cole")
    with pytest.raises(InvalidInput):
        share_acknowledge(actor=mash, share=share, decision=Decision.ASSESSMENT, reasons="again")


def test_school_acknowledges_by_noting(cast, record_incident):
    share = next(s for s in record_incident().shares if s.recipient.code == "URN-900001")
    dsl = actor_for_user(cast.users["school.dsl"])
    share_acknowledge(actor=dsl, share=share, decision=Decision.NOTED)
    assert Share.objects.get(pk=share.pk).decision == Decision.NOTED


def test_first_read_is_stamped_once(cast, record_incident):
    share = next(s for s in record_incident().shares if s.recipient.code == "E06000004")
    share_open(actor=actor_for_user(cast.users["mash.practitioner"]), share_id=share.pk)
    first = Share.objects.get(pk=share.pk).first_read_at
    share_open(actor=actor_for_user(cast.users["team.manager"]), share_id=share.pk)
    assert Share.objects.get(pk=share.pk).first_read_at == first and first is not None


def test_inbox_counts_by_deadline(cast, record_incident):
    # Recorded on Friday 20 November at 21:45: the council decides within 1 working day of arrival, by the
    # end of Monday 23 November, whatever the risk level (the risk level sets the police's clock).
    with time_machine.travel(dt.datetime(2026, 11, 20, 21, 45, tzinfo=LONDON), tick=False):
        record_incident(risk_level="high")
        record_incident(reference="CLE-26-1002")
        _drain()
    mash = actor_for_user(cast.users["mash.practitioner"])
    with time_machine.travel(dt.datetime(2026, 11, 21, 12, 0, tzinfo=LONDON), tick=False):
        counts = inbox_counts(actor=mash)
        assert counts["on-time"] == 2 and counts["overdue"] == 0 and counts["due-soon"] == 0
    with time_machine.travel(dt.datetime(2026, 11, 23, 21, 0, tzinfo=LONDON), tick=False):
        assert inbox_counts(actor=mash)["due-soon"] == 2
    with time_machine.travel(dt.datetime(2026, 11, 24, 0, 1, tzinfo=LONDON), tick=False):
        assert inbox_counts(actor=mash)["overdue"] == 2
        assert len(inbox(actor=mash, filters=InboxFilters(status="overdue"))) == 2


def test_unacknowledged_share_escalates_to_manager_then_partnership(cast, record_incident):
    share = next(s for s in record_incident(risk_level="high").shares if s.recipient.code == "E06000004")
    assert share.due_at is not None
    with time_machine.travel(share.due_at - dt.timedelta(minutes=1), tick=False):
        assert escalate_overdue() == 0
    with time_machine.travel(share.due_at + dt.timedelta(minutes=1), tick=False):
        assert escalate_overdue() >= 1
        assert escalate_overdue() == 0  # once per level
    # Overdue by as long again as the council had from arrival: to the partnership.
    with time_machine.travel(share.due_at + (share.due_at - share.shared_at), tick=False):
        escalate_overdue()
    levels = list(
        Escalation.objects.filter(share=share).values_list("level", "to_role", "to_organisation__code")
    )
    assert levels == [(1, "team-manager", "E06000004"), (2, "partnership-lead", "ORG-STOCKTON-SCP")]


def test_alert_is_logged_without_a_notify_key(cast, record_incident, caplog):
    record_incident()
    with caplog.at_level("INFO"):
        _drain()
    alert = Delivery.objects.filter(channel=Channel.ALERT, share__recipient__code="E06000004").get()
    assert alert.status == DeliveryStatus.DELIVERED
    assert "no GOV.UK Notify key" in alert.attempt_log.get().detail
    assert "Amelia" not in caplog.text  # alerts carry no personal data


def test_worker_survives_a_database_error(cast, record_incident, monkeypatch):
    from django.db import OperationalError

    record_incident()
    calls = {"n": 0}
    real = delivery.run_once

    def flaky(worker_id, limit=50):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("database is locked")
        return real(worker_id, limit)

    monkeypatch.setattr(loop, "run_once", flaky)
    monkeypatch.setattr(loop.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(loop.connection, "close", lambda: None)  # keep the test's transaction
    loop.run_worker(batch=True)
    assert calls["n"] >= 3
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_escalation_sweeps_in_batches_and_carries_on_next_time(cast, record_incident, monkeypatch):
    from openmash.sharing import services as sharing_services

    shares = [
        share
        for n in range(4)
        for share in record_incident(reference=f"CLE-26-20{n}").shares
        if share.due_at is not None
    ]
    # Each incident: Stockton's notice. The school's Encompass notice has no deadline, so never escalates.
    assert len(shares) == 4 and {share.recipient.code for share in shares} == {"E06000004"}
    monkeypatch.setattr(sharing_services, "ESCALATION_BATCH", 2)
    later = max(share.due_at for share in shares) + dt.timedelta(minutes=1)
    # A sweep out of time does one batch and stops; the next carries on.
    assert escalate_overdue(now=later, seconds=0) == 2
    assert Escalation.objects.count() == 2
    assert escalate_overdue(now=later) == 2
    assert escalate_overdue(now=later) == 0
    levels = dict(Share.objects.filter(pk__in=[s.pk for s in shares]).values_list("pk", "escalation_level"))
    assert sorted(levels.values()) == [1, 1, 1, 1]
    # Overdue by as long again as they had: to Stockton's partnership.
    much_later = later + max(share.due_at - share.shared_at for share in shares)
    assert escalate_overdue(now=much_later) == 4
    second = Escalation.objects.filter(level=2).select_related("to_organisation")
    assert {e.to_organisation.code for e in second} == {"ORG-STOCKTON-SCP"} and second.count() == 4
    assert {e.to_role for e in second} == {"partnership-lead"}


def test_an_endpoint_added_or_switched_off_counts_for_the_next_share(cast, record_incident, receiver):
    """Endpoints are remembered a few seconds per process; a change made in this process is seen at once."""

    def webhooks(recorded):
        council = next(s for s in recorded.shares if s.recipient.code == "E06000004")
        return Delivery.objects.filter(share=council, channel=Channel.WEBHOOK).count()

    assert webhooks(record_incident()) == 0
    hook = WebhookEndpoint.objects.create(
        organisation=cast.organisations["council"], url=receiver.url, secret=SECRET
    )
    assert webhooks(record_incident(reference="CLE-26-1002")) == 1
    hook.active = False
    hook.save()
    assert webhooks(record_incident(reference="CLE-26-1003")) == 0
