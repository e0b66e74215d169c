"""Vetting requests: asked for by a council, checked by its police force, timed by the dbs-enhanced clock
(domain.md section 3: 14 days from submission) with the area's escalation point."""

import datetime as dt

import pytest
import time_machine

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.clocks.services import area_setting_set, forget_area_settings
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.lib.instants import LONDON
from openmash.vetting import selectors
from openmash.vetting.models import VettingOutcome, VettingRequest, VettingStage
from openmash.vetting.services import vetting_clock, vetting_stage_record

from .conftest import SUBMITTED

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)


def test_a_request_starts_the_14_day_clock_at_the_force(submit, cast):
    request = submit()
    assert request.council.name == "Stockton-on-Tees"
    assert request.force.name == "Cleveland Police"  # the force covering the council, by default
    # 14 calendar days, ending at the end of the 14th day after the day of submission.
    assert request.due_at == dt.datetime(2026, 11, 16, 23, 59, 59, tzinfo=LONDON)
    clock = vetting_clock(request)
    assert clock.rule == "dbs-enhanced" and clock.organisation == request.force
    assert clock.started_at == SUBMITTED and clock.due_at == request.due_at
    # The escalation point defaults to the standard; an area sets its own (below).
    assert request.escalation_at == request.due_at
    assert AuditEntry.objects.filter(
        object_type="vetting-request", object_id=str(request.pk), action="create"
    ).exists()


def test_the_area_sets_its_escalation_point(submit, cast):
    area_setting_set(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=cast.organisations["council"],
        rule="dbs-escalation",
        unit="days",
        amount=10,
        reason="Fostering panel agreement with Cleveland Police, 2026",
    )
    forget_area_settings()
    request = submit()
    assert request.escalation_at == dt.datetime(2026, 11, 12, 23, 59, 59, tzinfo=LONDON)
    assert request.due_at == dt.datetime(
        2026, 11, 16, 23, 59, 59, tzinfo=LONDON
    )  # the standard stays national


def test_every_bad_field_is_named_at_once_and_nothing_saved(submit):
    with pytest.raises(InvalidInput) as refused:
        submit(
            given_name=" ",
            family_name="",
            date_of_birth=None,
            role="lodger",
            submitted_at=NOW + dt.timedelta(days=400),
        )
    assert set(refused.value.errors) == {"given_name", "family_name", "date_of_birth", "role", "submitted_at"}
    assert not VettingRequest.objects.exists()


def test_the_force_must_be_a_police_force(submit, cast):
    with pytest.raises(InvalidInput) as refused:
        submit(force=cast.organisations["unrelated-council"])
    assert refused.value.errors["force"] == ["Bury is not a police force"]


@pytest.mark.parametrize(
    "username", ["vetting.officer", "police.officer", "school.dsl", "mash.practitioner", "council.admin"]
)
def test_only_a_councils_fostering_and_adoption_practitioners_ask(submit, cast, username):
    with pytest.raises(NotAllowed):
        submit(actor_for_user(cast.users[username]))


@time_machine.travel(NOW, tick=False)
def test_the_force_moves_it_through_its_stages_and_the_certificate_stops_the_clock(submit, vetting_officer):
    request = submit(submitted_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON))
    request = vetting_stage_record(
        actor=vetting_officer,
        request=request,
        stage=VettingStage.LOCAL_CHECK_STARTED,
        at=NOW - dt.timedelta(days=4),
    )
    assert request.stage == VettingStage.LOCAL_CHECK_STARTED
    request = vetting_stage_record(
        actor=vetting_officer,
        request=request,
        stage=VettingStage.LOCAL_CHECK_COMPLETED,
        at=NOW - dt.timedelta(days=1),
    )
    request = vetting_stage_record(
        actor=vetting_officer,
        request=request,
        stage=VettingStage.CERTIFICATE_ISSUED,
        outcome=VettingOutcome.CLEAR,
    )
    assert request.certificate_issued_at == NOW and request.outcome == VettingOutcome.CLEAR
    assert not request.is_open
    clock = vetting_clock(request)
    assert clock.stopped_at == NOW and clock.met
    assert (
        AuditEntry.objects.filter(
            object_type="vetting-request", object_id=str(request.pk), action="update"
        ).count()
        == 3
    )


@time_machine.travel(NOW, tick=False)
def test_stages_keep_their_order(submit, vetting_officer):
    request = submit()
    with pytest.raises(InvalidInput) as refused:
        vetting_stage_record(actor=vetting_officer, request=request, stage=VettingStage.LOCAL_CHECK_COMPLETED)
    assert refused.value.errors["stage"] == ["Record that the police local checks started first"]
    with pytest.raises(InvalidInput) as refused:
        vetting_stage_record(
            actor=vetting_officer, request=request, stage=VettingStage.CERTIFICATE_ISSUED, outcome="clear"
        )
    assert refused.value.errors["stage"] == ["Record that the police local checks were completed first"]
    with pytest.raises(InvalidInput) as refused:
        vetting_stage_record(
            actor=vetting_officer,
            request=request,
            stage=VettingStage.LOCAL_CHECK_STARTED,
            at=SUBMITTED - dt.timedelta(hours=1),
        )
    assert refused.value.errors["at"] == ["It cannot be before the request was submitted"]
    vetting_stage_record(actor=vetting_officer, request=request, stage=VettingStage.LOCAL_CHECK_STARTED)
    request.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        vetting_stage_record(actor=vetting_officer, request=request, stage=VettingStage.LOCAL_CHECK_STARTED)
    assert refused.value.errors["stage"] == ["Police local checks started was already recorded"]


@time_machine.travel(NOW, tick=False)
def test_a_late_certificate_needs_the_reason_for_the_delay(submit, vetting_officer):
    request = submit()  # submitted 2 November: due 16 November, now 25 November
    for stage in (VettingStage.LOCAL_CHECK_STARTED, VettingStage.LOCAL_CHECK_COMPLETED):
        request = vetting_stage_record(actor=vetting_officer, request=request, stage=stage)
    with pytest.raises(InvalidInput) as refused:
        vetting_stage_record(
            actor=vetting_officer, request=request, stage=VettingStage.CERTIFICATE_ISSUED, outcome="disclosed"
        )
    assert "delay_reason" in refused.value.errors
    request = vetting_stage_record(
        actor=vetting_officer,
        request=request,
        stage=VettingStage.CERTIFICATE_ISSUED,
        outcome="disclosed",
        delay_reason="Records held by another force were asked for",
    )
    clock = vetting_clock(request)
    assert not clock.met and clock.breach_reason == "Records held by another force were asked for"


@time_machine.travel(NOW, tick=False)
def test_the_council_withdraws_and_the_force_cannot(submit, vetting_officer, council_team):
    request = submit()
    with pytest.raises(NotAllowed):
        vetting_stage_record(actor=vetting_officer, request=request, stage=VettingStage.WITHDRAWN)
    with pytest.raises(NotAllowed):
        vetting_stage_record(actor=council_team, request=request, stage=VettingStage.LOCAL_CHECK_STARTED)
    request = vetting_stage_record(actor=council_team, request=request, stage=VettingStage.WITHDRAWN)
    assert request.outcome == VettingOutcome.WITHDRAWN and request.stage == VettingStage.WITHDRAWN
    assert vetting_clock(request).stopped_at == NOW
    with pytest.raises(InvalidInput):
        vetting_stage_record(actor=council_team, request=request, stage=VettingStage.WITHDRAWN)


def test_another_force_cannot_record_a_stage(submit, other_force_vetting_officer):
    with pytest.raises(NotAllowed):
        vetting_stage_record(
            actor=other_force_vetting_officer, request=submit(), stage=VettingStage.LOCAL_CHECK_STARTED
        )


def test_the_force_sees_its_queue_and_the_council_its_requests_and_nobody_else(
    submit, cast, vetting_officer, council_team, other_force_vetting_officer
):
    request = submit()
    assert selectors.vetting_request_list(actor=vetting_officer) == [request]
    assert selectors.vetting_request_list(actor=council_team) == [request]
    assert selectors.vetting_request_list(actor=other_force_vetting_officer) == []
    with pytest.raises(NotFound):
        selectors.vetting_request_open(actor=other_force_vetting_officer, request_id=request.pk)
    # Another council's fostering team has its own (empty) list; it cannot open this one.
    bury = actor_for_user(cast.users["bury.social.worker"])
    assert selectors.vetting_request_list(actor=bury) == []
    assert selectors.vetting_backlog(actor=bury).overall.open_requests == 0
    with pytest.raises(NotFound):
        selectors.vetting_request_open(actor=bury, request_id=request.pk)
    for username in ("police.officer", "school.dsl", "inspector", "partnership.lead", "council.admin"):
        actor = actor_for_user(cast.users[username])
        with pytest.raises(NotFound):
            selectors.vetting_request_open(actor=actor, request_id=request.pk)
        with pytest.raises(NotFound):
            selectors.vetting_request_list(actor=actor)
        with pytest.raises(NotFound):
            selectors.vetting_backlog(actor=actor)
    selectors.vetting_request_open(actor=vetting_officer, request_id=request.pk)
    assert (
        AuditEntry.objects.filter(
            object_type="vetting-request", object_id=str(request.pk), action="view"
        ).count()
        == 1
    )


@time_machine.travel(NOW, tick=False)
def test_the_backlog_by_force_and_by_council(submit, vetting_officer, council_team, cast):
    oldest = submit(submitted_at=dt.datetime(2026, 11, 1, 12, 0, tzinfo=LONDON))  # 24 days
    submit(
        given_name="Sam",
        role="adopter",
        placements_blocked="",
        submitted_at=dt.datetime(2026, 11, 15, 12, 0, tzinfo=LONDON),
    )  # 10 days
    submit(
        given_name="Alex",
        role="household-member",
        placements_blocked="",
        submitted_at=dt.datetime(2026, 11, 21, 12, 0, tzinfo=LONDON),
    )  # 4 days
    done = submit(given_name="Casey", submitted_at=dt.datetime(2026, 11, 20, 12, 0, tzinfo=LONDON))
    for stage in (VettingStage.LOCAL_CHECK_STARTED, VettingStage.LOCAL_CHECK_COMPLETED):
        done = vetting_stage_record(actor=vetting_officer, request=done, stage=stage)
    vetting_stage_record(
        actor=vetting_officer, request=done, stage=VettingStage.CERTIFICATE_ISSUED, outcome="clear"
    )

    force = selectors.vetting_backlog(actor=vetting_officer)
    assert force.overall.organisation.name == "Cleveland Police"
    assert force.overall.open_requests == 3
    assert force.overall.median_age == dt.timedelta(days=10)
    assert force.overall.oldest_age == dt.timedelta(days=24)
    assert force.overall.past_standard == 1  # only the oldest is past its 14 days
    assert (
        force.overall.applicants_waiting == 2
    )  # a foster carer and an adopter; the household member is not one
    assert force.overall.applicants_longest == dt.timedelta(days=24)
    assert [waiting.request for waiting in force.overall.blocking] == [oldest]
    assert (force.overall.met_standard, force.overall.certificates) == (1, 1)
    assert not force.by_force and [row.organisation.name for row in force.by_other] == ["Stockton-on-Tees"]

    council = selectors.vetting_backlog(actor=council_team)
    assert council.by_force and [row.organisation.name for row in council.by_other] == ["Cleveland Police"]
    assert council.by_other[0].open_requests == 3
