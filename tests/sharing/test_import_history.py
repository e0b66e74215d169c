"""An import as history (the default) counts with its real times but creates no live work: nothing sent, no
deadline to meet now, no escalation, alert or webhook, shown apart from live work. ``--as live`` is a real
backlog."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import Event, Source
from openmash.lib.errors import InvalidInput
from openmash.recording.decisions import share_acknowledge
from openmash.sharing import delivery
from openmash.sharing import selectors as sharing_selectors
from openmash.sharing.models import (
    Channel,
    Decision,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Escalation,
    ImportedAs,
    Share,
    WebhookEndpoint,
)
from openmash.sharing.selectors import (
    DeadlineStatus,
    InboxFilters,
    InboxView,
    inbox,
    inbox_counts,
    inbox_delivered_since,
)
from openmash.sharing.services import escalate_overdue

from .receivers import Receiver
from .test_import import HEADER, ROWS, write_csv

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WITH_HANDLED = [*HEADER, "handled_at"]
# Handled by the council the day after it reached them (29 October), and the other incident not said.
HANDLED_ROWS = [[*ROWS[0], "2025-10-30T10:00:00"], [*ROWS[1], "2025-10-30T10:00:00"], [*ROWS[2], ""]]


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


def run(path, *more):
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police", *more)


def drain():
    while delivery.run_once("w1"):
        pass


def test_no_escalation_alert_or_webhook_is_caused_by_an_import_as_history(
    cast, tmp_path, council_hook, receiver
):
    run(write_csv(tmp_path / "history.csv", HANDLED_ROWS, header=WITH_HANDLED))
    imported = Event.objects.filter(reference__startswith="CLE-25-")
    assert {event.source for event in imported} == {Source.IMPORT}
    shares = Share.objects.filter(event__in=imported)
    deliveries = Delivery.objects.filter(share__in=shares)
    channels = set(deliveries.values_list("channel", flat=True))
    assert channels == {Channel.INBOX, Channel.ALERT, Channel.WEBHOOK}  # planned like any share's ...
    drain()
    raised = escalate_overdue(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=400))
    # ... but none sent: every one is marked history, never tried.
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.HISTORY}
    assert not DeliveryAttempt.objects.filter(delivery__in=deliveries).exists()
    assert receiver.received == []
    assert raised == 0 and not Escalation.objects.filter(share__in=shares).exists()
    assert not any(share.escalation_level for share in shares)


def test_history_keeps_real_times_and_when_it_was_handled(cast, tmp_path):
    run(write_csv(tmp_path / "history.csv", HANDLED_ROWS, header=WITH_HANDLED))
    council = Share.objects.get(event__reference="CLE-25-0001", recipient__code="E06000004")
    assert council.imported_as == ImportedAs.HISTORY  # recorded elsewhere, imported as history
    assert council.occurred_at == dt.datetime(2025, 10, 1, 21, 0, tzinfo=dt.UTC)
    assert council.shared_at == dt.datetime(2025, 10, 29, 9, 0, tzinfo=dt.UTC)
    assert council.delivered_at == council.shared_at  # reached the council then, in another system
    assert council.handled_at == dt.datetime(2025, 10, 30, 10, 0, tzinfo=dt.UTC)  # GMT by then
    # The delay still counts, against the police (the sender's clock).
    assert council.shared_at - council.notification_due_at > dt.timedelta(days=26)
    other = Share.objects.get(event__reference="CLE-25-0002")
    assert other.imported_as == ImportedAs.HISTORY and other.handled_at is None


def test_history_is_shown_apart_from_live_work(cast, tmp_path, client, record_incident):
    run(write_csv(tmp_path / "history.csv", ROWS))
    record_incident()  # one live incident, recorded now
    drain()
    mash = actor_for_user(cast.users["mash.practitioner"])
    live = inbox(actor=mash, filters=InboxFilters())
    history = inbox(actor=mash, filters=InboxFilters(view=InboxView.HISTORY))
    assert [share.event.reference for share in live] == ["CLE-26-1001"]
    assert {share.event.reference for share in history} == {
        "CLE-25-0001"
    }  # the council's; Bury has the other
    counts = inbox_counts(actor=mash)
    # The history share was 26 days late, but it is nobody's work now: only the live one is counted as work.
    assert sum(counts[status] for status in DeadlineStatus.LABELS) == 1 and counts["history"] == 1
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert [share.event.reference for share in inbox_delivered_since(actor=mash, since=long_ago)] == [
        "CLE-26-1001"
    ]  # the live stream never pushes history
    # Visible to the council: history counts, and its children are the council's to know of.
    assert sharing_selectors.visible_events(mash).filter(reference="CLE-25-0001").exists()

    client.force_login(cast.users["mash.practitioner"])
    page = client.get(reverse("sharing:inbox")).content.decode()
    assert "CLE-26-1001" in page and "CLE-25-0001" not in page and "History (1)" in page
    page = client.get(reverse("sharing:inbox") + "?view=history").content.decode()
    assert "CLE-25-0001" in page and "CLE-26-1001" not in page and 'aria-current="page"' in page
    assert "handled in another system" in page

    council = cast.organisations["council"]
    token = api_client_create(actor=system_actor(council), organisation=council, name="front door").token
    headers = {"Authorization": f"Bearer {token}"}
    answer = Client().get("/api/v1/inbox?view=history", headers=headers).json()
    assert [share["reference"] for share in answer["shares"]] == ["CLE-25-0001"]
    assert answer["shares"][0]["imported_as"] == "history" and answer["counts"]["history"] == 1
    answer = Client().get("/api/v1/inbox", headers=headers).json()
    assert [share["reference"] for share in answer["shares"]] == ["CLE-26-1001"]


def test_a_history_share_needs_no_decision(cast, tmp_path):
    run(write_csv(tmp_path / "history.csv", ROWS))
    share = Share.objects.get(event__reference="CLE-25-0001", recipient__code="E06000004")
    mash = actor_for_user(cast.users["mash.practitioner"])
    with pytest.raises(InvalidInput, match="history"):
        share_acknowledge(actor=mash, share=share, decision=Decision.ASSESSMENT, reasons="Old")


def test_as_live_is_a_real_backlog(cast, tmp_path):
    run(write_csv(tmp_path / "backlog.csv", ROWS), "--as", "live")
    shares = Share.objects.filter(event__reference__startswith="CLE-25-")
    assert {share.imported_as for share in shares} == {ImportedAs.LIVE}
    drain()
    mash = actor_for_user(cast.users["mash.practitioner"])
    assert inbox_counts(actor=mash)["overdue"] == 1 and inbox_counts(actor=mash)["history"] == 0
    assert escalate_overdue() >= 1  # 26 days late and still waiting: the team manager is told
    council = shares.get(recipient__code="E06000004")
    assert Escalation.objects.filter(share=council, level=1).exists()


def test_history_needs_when_it_reached_the_council(cast, tmp_path):
    rows = [list(row) for row in ROWS]
    rows[2][HEADER.index("shared_at")] = ""
    with pytest.raises(CommandError, match=r"line 4, column shared_at: is empty: as history"):
        run(write_csv(tmp_path / "unknown.csv", rows))
    assert not Event.objects.filter(reference__startswith="CLE-25-").exists()
    run(write_csv(tmp_path / "unknown.csv", rows), "--as", "live")  # reaching the council now: fine
    assert Share.objects.get(event__reference="CLE-25-0002").imported_as == ImportedAs.LIVE


def test_handled_at_is_checked(cast, tmp_path):
    rows = [[*ROWS[0], "2025-10-28T10:00:00"], [*ROWS[1], "2025-10-28T10:00:00"]]  # before it was shared
    with pytest.raises(CommandError, match=r"line 2, column handled_at: .* before the council was told"):
        run(write_csv(tmp_path / "early.csv", rows, header=WITH_HANDLED))
    with pytest.raises(CommandError, match=r"line 2, column handled_at: .*import the file as history"):
        run(write_csv(tmp_path / "live.csv", HANDLED_ROWS, header=WITH_HANDLED), "--as", "live")
    assert not Event.objects.filter(reference__startswith="CLE-25-").exists()


def test_the_progress_bar_shows_each_step_with_its_rate_and_time_left(cast, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws its bar only on a terminal
    monkeypatch.setenv("COLUMNS", "160")
    run(write_csv(tmp_path / "history.csv", ROWS))
    shown = capsys.readouterr().err
    for words in ("Checking", "Writing", "Releasing", "rows/s", "elapsed", "left", "3/3"):
        assert words in shown
