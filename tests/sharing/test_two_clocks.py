"""A share's two clocks (clocks.deadlines): the sender's, met or missed when it is sent and recorded against
the sender; the recipient's, from arrival, the only one escalated at the recipient. With the decisions that fit
the share, and one strategy-discussion clock per child however many things started it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.clocks.models import Clock
from openmash.clocks.selectors import clock_measures
from openmash.events.models import EventKind, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.models import Decision, Escalation
from openmash.sharing.selectors import DeadlineStatus, deadline_status
from openmash.sharing.services import decisions_for, escalate_overdue

from .conftest import LONDON


def _late_notice(record_incident):
    """Reported on Thursday 19 November 2026 at 9am; the police share it on Monday 23 November at 9am, three
    days after their 24 hours ran out (Friday at 9am)."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False):
        recorded = record_incident(
            occurred_at=dt.datetime(2026, 11, 19, 8, 50, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 19, 9, 0, tzinfo=LONDON),
        )
    return {share.recipient.code: share for share in recorded.shares}


def test_a_notice_three_days_late_is_late_for_the_police_and_not_overdue_for_the_council(
    cast, record_incident
):
    council = _late_notice(record_incident)["E06000004"]
    assert council.notification_due_at == dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
    assert council.shared_at == dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    # The council decides within 1 working day of receipt: day 0 is Monday, so by the end of Tuesday.
    assert council.due_at == dt.datetime(2026, 11, 24, 23, 59, 59, tzinfo=LONDON)
    on_tuesday = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    assert deadline_status(council, on_tuesday) == DeadlineStatus.ON_TIME
    assert escalate_overdue(now=on_tuesday) == 0
    # The lateness is the police's: a breached clock of theirs, counted in their measures, not the council's.
    [late] = Clock.objects.filter(subject_type="share", subject_id=str(council.pk))
    assert late.organisation == cast.organisations["police"] and late.rule == "da-notification"
    assert late.breached_at == council.notification_due_at and late.stopped_at == council.shared_at
    police = {measure.rule: measure for measure in clock_measures(organisation=cast.organisations["police"])}
    assert police["da-notification"].late == 1 and police["da-notification"].met == 0
    councils = {measure.rule for measure in clock_measures(organisation=cast.organisations["council"])}
    assert "da-notification" not in councils
    # Only when its own day has passed is the council overdue, and only then escalated.
    on_wednesday = dt.datetime(2026, 11, 25, 0, 1, tzinfo=LONDON)
    assert escalate_overdue(now=on_wednesday) == 1
    assert Escalation.objects.get().share_id == council.pk


def test_the_api_gives_both_clocks(cast, record_incident):
    council = _late_notice(record_incident)["E06000004"]
    organisation = cast.organisations["council"]
    token = api_client_create(
        actor=system_actor(organisation), organisation=organisation, name="front door"
    ).token
    with time_machine.travel(dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON), tick=False):
        response = Client().get(f"/api/v1/shares/{council.pk}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision_due"] == "2026-11-24T23:59:59+00:00"
    assert body["notification"] == {
        "rule": "da-notification",
        "due": "2026-11-20T09:00:00+00:00",
        "sent_at": "2026-11-23T09:00:00+00:00",
        "late": True,
        "late_by_hours": 72.0,
    }
    assert body["deadline_status"] == "on-time"


def test_a_notice_on_time_is_met_for_the_police(cast, record_incident):
    with time_machine.travel(dt.datetime(2026, 11, 20, 21, 45, tzinfo=LONDON), tick=False):
        council = next(s for s in record_incident().shares if s.recipient.code == "E06000004")
    met = Clock.objects.get(subject_type="share", subject_id=str(council.pk))
    assert met.met and met.breached_at is None and met.organisation == cast.organisations["police"]


def test_the_councils_working_day_skips_christmas_and_the_boxing_day_substitute(cast, record_incident):
    with time_machine.travel(dt.datetime(2026, 12, 24, 15, 0, tzinfo=LONDON), tick=False):
        recorded = record_incident(
            occurred_at=dt.datetime(2026, 12, 24, 14, 0, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 12, 24, 14, 10, tzinfo=LONDON),
        )
    council = next(s for s in recorded.shares if s.recipient.code == "E06000004")
    # Friday 25th is Christmas Day; Boxing Day falls on a Saturday, so Monday 28th is its substitute.
    assert council.due_at == dt.datetime(2026, 12, 29, 23, 59, 59, tzinfo=LONDON)
    assert council.notification_due_at == dt.datetime(2026, 12, 25, 14, 10, tzinfo=LONDON)


def test_a_schools_encompass_notice_has_no_deadline_of_its_own_and_never_escalates(cast, record_incident):
    school = _late_notice(record_incident)["URN-900001"]
    assert school.due_at is None and school.clock_rule == ""
    # The police's clock: the start of the next school day after the incident (Friday at 8:30am).
    assert school.notification_due_at == dt.datetime(2026, 11, 20, 8, 30, tzinfo=LONDON)
    escalate_overdue(now=dt.datetime(2027, 1, 1, tzinfo=LONDON))
    # The council's share is raised (team managers, then the partnership); the school's never.
    assert set(Escalation.objects.values_list("share__recipient__code", flat=True)) == {"E06000004"}
    # Marked read with nothing to choose.
    share_acknowledge(actor=actor_for_user(cast.users["school.dsl"]), share=school, decision="")
    school.refresh_from_db()
    assert school.decision == Decision.NOTED and school.acknowledged_at is not None


def test_a_school_cannot_make_a_front_door_decision(cast, record_incident):
    school = _late_notice(record_incident)["URN-900001"]
    with pytest.raises(InvalidInput) as error:
        share_acknowledge(
            actor=actor_for_user(cast.users["school.dsl"]),
            share=school,
            decision=Decision.STRATEGY_DISCUSSION,
        )
    assert "no decision to make" in error.value.errors["decision"][0]


def _missing(cast):
    officer = actor_for_user(cast.users["police.officer"])
    recorded = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 20, 19, 0, tzinfo=LONDON),
            people=[PersonInput(role=SubjectRole.CHILD, person_id=cast.people["Amelia Hart"].pk)],
            summary="Did not come home from school",
            details={"risk": "medium", "episode": "M"},
        ),
    )
    return recorded, next(s for s in recorded.shares if s.recipient.code == "E06000004")


def test_a_missing_report_offers_the_decisions_that_apply(cast):
    _recorded, share = _missing(cast)
    assert decisions_for(share) == [
        Decision.SOCIAL_WORKER_TOLD,
        Decision.STRATEGY_DISCUSSION,
        Decision.NO_FURTHER_ACTION,
    ]
    mash = actor_for_user(cast.users["mash.practitioner"])
    with pytest.raises(InvalidInput) as error:
        share_acknowledge(actor=mash, share=share, decision=Decision.EARLY_HELP, reasons="Known family")
    assert error.value.errors["decision"] == [
        "Choose the next step: passed to the child's social worker, strategy discussion or no further action"
    ]
    share_acknowledge(actor=mash, share=share, decision=Decision.SOCIAL_WORKER_TOLD, reasons="Allocated")


def test_a_found_report_offers_the_return_interview(cast):
    missing, _share = _missing(cast)
    found = event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=EventInput(
            kind=EventKind.FOUND,
            occurred_at=dt.datetime(2026, 11, 21, 8, 0, tzinfo=LONDON),
            related_event_id=missing.event.pk,
            people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
        ),
    )
    share = next(s for s in found.shares if s.recipient.code == "E06000004")
    assert decisions_for(share)[0] == Decision.RETURN_INTERVIEW
    assert Decision.EARLY_HELP not in decisions_for(share)


def test_one_strategy_discussion_duty_is_one_clock(cast, record_incident):
    """Police protection, and front-door decisions of strategy discussion on two notices: one duty to the
    child, one clock, not three."""
    mash = actor_for_user(cast.users["mash.practitioner"])
    amelia = cast.people["Amelia Hart"]
    first = next(s for s in record_incident().shares if s.recipient.code == "E06000004")
    share_acknowledge(actor=mash, share=first, decision=Decision.STRATEGY_DISCUSSION, reasons="Harm")
    protection = event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=EventInput(
            kind=EventKind.POLICE_PROTECTION,
            occurred_at=dt.datetime(2026, 11, 21, 2, 0, tzinfo=LONDON),
            postcode="TS18 1AA",
            people=[PersonInput(person_id=amelia.pk)],
            details={"designated_officer": "Insp Oduya", "reasons": "Alone", "alternatives_discussed": False},
        ),
    )
    again = next(s for s in protection.shares if s.recipient.code == "E06000004")
    share_acknowledge(actor=mash, share=again, decision=Decision.STRATEGY_DISCUSSION, reasons="Protection")
    [clock] = Clock.objects.filter(rule="strategy-discussion", person=amelia)
    assert clock.subject_id == str(first.pk)  # the first to start it stands
    # Once it is met, a new concern starts a new one.
    Clock.objects.filter(pk=clock.pk).update(stopped_at=clock.started_at)
    later = next(
        s for s in record_incident(reference="CLE-26-1009").shares if s.recipient.code == "E06000004"
    )
    share_acknowledge(actor=mash, share=later, decision=Decision.STRATEGY_DISCUSSION, reasons="Again")
    assert Clock.objects.filter(rule="strategy-discussion", person=amelia).count() == 2


def test_the_senders_managers_see_its_late_notices_and_the_recipient_reads_whose_lateness_it_is(
    cast, signed_in, record_incident
):
    council = _late_notice(record_incident)["E06000004"]
    page = signed_in("police.designated").get(reverse("clocks:notifications-sent"))
    assert page.status_code == 200
    assert "Domestic abuse incident CLE-26-1001" in page.text and "20 November 2026 at 9:00am" in page.text
    assert signed_in("police.officer").get(reverse("clocks:notifications-sent")).status_code == 404
    # The council's managers see nothing of the police's lateness as their own.
    assert "CLE-26-1001" not in signed_in("team.manager").get(reverse("clocks:notifications-sent")).text
    with time_machine.travel(dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON), tick=False):
        text = signed_in("mash.practitioner").get(reverse("sharing:share", args=[council.pk])).text
    assert "72.0 hours late" in text and "recorded against Cleveland Police, not against you" in text
    assert "24 November 2026 at 11:59pm" in text and "Not yet due" in text
    for internal in ("da-notification", "referral-decision", "no GOV.UK Notify key"):
        assert internal not in text.split("How it was delivered")[0]
