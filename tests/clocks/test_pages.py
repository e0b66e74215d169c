"""The deadlines pages against the personas: who sees which list, one clock, recording work done, and an
area's own figure (with GOV.UK errors, nothing saved on bad input)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from openmash.audit.models import AuditAction, AuditEntry
from openmash.clocks import services
from openmash.clocks.models import AreaClockSetting, Clock

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def assessment(cast):
    """An assessment clock of Stockton's social worker for Amelia, overdue since January 2026."""
    return services.clock_start(
        rule="assessment",
        started_at=dt.datetime(2025, 11, 3, 9, 0, tzinfo=LONDON),
        organisation=cast.organisations["council"],
        subject_type="share",
        subject_id="s-1",
        person=cast.people["Amelia Hart"],
        owner=cast.users["social.worker"],
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("social.worker", 200),
        ("team.manager", 200),
        ("police.officer", 200),
        ("bury.social.worker", 200),
        ("inspector", 404),
        ("council.admin", 404),
    ],
)
def test_deadlines_page_is_for_case_workers(signed_in, assessment, persona, status):
    response = signed_in(persona).get(reverse("clocks:deadlines"))
    assert response.status_code == status
    if persona == "social.worker":
        assert "Amelia Hart" in response.text and "Child and family assessment" in response.text
    elif status == 200:
        assert "Amelia Hart" not in response.text  # another organisation's, or nobody's in this list


def test_deadlines_page_needs_sign_in(client):
    response = client.get(reverse("clocks:deadlines"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_team_manager_sees_the_teams_list_and_an_unknown_list_is_404(signed_in, assessment):
    manager = signed_in("team.manager")
    mine = manager.get(reverse("clocks:deadlines"))
    assert "Amelia Hart" not in mine.text  # not the manager's own
    team = manager.get(reverse("clocks:deadlines") + "?scope=team")
    assert "Amelia Hart" in team.text
    assert team.context["lists"].overdue_count == 1
    police = signed_in("police.officer")  # no team: no team list
    assert police.get(reverse("clocks:deadlines") + "?scope=team").status_code == 404
    assert manager.get(reverse("clocks:deadlines") + "?scope=everyone").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("social.worker", 200),
        ("team.manager", 200),
        ("police.officer", 404),
        ("bury.social.worker", 404),
        ("inspector", 404),
        ("council.admin", 404),
    ],
)
def test_a_clock_is_seen_only_by_its_organisations_case_workers(signed_in, assessment, persona, status):
    response = signed_in(persona).get(reverse("clocks:clock", args=[assessment.pk]))
    assert response.status_code == status
    read = AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="clock", object_id=str(assessment.pk)
    )
    assert read.exists() == (status == 200)


def test_an_unknown_clock_is_404(signed_in):
    assert signed_in("social.worker").get(reverse("clocks:clock", args=["not-a-uuid"])).status_code == 404


def test_recording_work_done_late_asks_for_the_reason(signed_in, assessment):
    client = signed_in("social.worker")
    url = reverse("clocks:clock", args=[assessment.pk])
    page = client.get(url)
    assert "Record that this was done" in page.text
    posted = {"done_date_0": "10", "done_date_1": "2", "done_date_2": "2026", "done_time": "14:00"}
    response = client.post(url, posted)
    assert response.status_code == 200
    assert "There is a problem" in response.text and "Give the reason for the delay" in response.text
    assert response.context["errors"][0][0] == "#id_breach_reason"
    assessment.refresh_from_db()
    assert assessment.stopped_at is None
    response = client.post(url, {**posted, "breach_reason": "Father would not engage until February"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.stopped_at == dt.datetime(2026, 2, 10, 14, 0, tzinfo=LONDON)
    assert assessment.breach_reason == "Father would not engage until February"


def test_recording_work_done_needs_a_real_date(signed_in, assessment):
    response = signed_in("social.worker").post(
        reverse("clocks:clock", args=[assessment.pk]),
        {"done_date_0": "31", "done_date_1": "2", "done_date_2": "2026", "done_time": "25:00"},
    )
    assert "must be a real date" in response.text and "must be a real time" in response.text
    assert Clock.objects.get(pk=assessment.pk).stopped_at is None


def test_meetings_clocks_are_not_stopped_by_hand(signed_in, cast):
    clock = services.clock_start(
        rule="initial-conference",
        started_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON),
        organisation=cast.organisations["council"],
        subject_type="strategy-discussion",
        subject_id="sd-1",
        person=cast.people["Amelia Hart"],
    )
    client = signed_in("social.worker")
    page = client.get(reverse("clocks:clock", args=[clock.pk]))
    assert "Record that this was done" not in page.text
    client.post(
        reverse("clocks:clock", args=[clock.pk]),
        {"done_date_0": "3", "done_date_1": "11", "done_date_2": "2026", "done_time": "10:00"},
    )
    assert Clock.objects.get(pk=clock.pk).stopped_at is None


def test_rules_page_shows_each_rule_and_the_areas_figure(signed_in, cast):
    client = signed_in("social.worker")
    page = client.get(reverse("clocks:rules"))
    assert page.status_code == 200
    assert "Operation Encompass school notification" in page.text
    assert "Set your area" not in page.text  # only administrators and partnership leads set figures
    admin = signed_in("council.admin")
    assert "Set your area" in admin.get(reverse("clocks:rules")).text
    url = reverse("clocks:area-setting", args=["strategy-discussion"])
    bad = admin.post(url, {"unit": "working_days", "amount": "0", "reason": ""})
    assert "The figure must be 1 or more" in bad.text and "Say where the area agreed this figure" in bad.text
    assert not AreaClockSetting.objects.exists()
    good = admin.post(url, {"unit": "working_days", "amount": "3", "reason": "Tees procedures 4.2"})
    assert good.status_code == 302
    services.forget_area_settings()
    shown = client.get(reverse("clocks:rules"))
    assert "Your area: 3 working days" in shown.text and "Tees procedures 4.2" in shown.text


@pytest.mark.parametrize("persona", ["social.worker", "bury.social.worker", "inspector"])
def test_only_administrators_set_area_figures(signed_in, persona):
    url = reverse("clocks:area-setting", args=["strategy-discussion"])
    client = signed_in(persona)
    assert client.get(url).status_code == 404
    assert client.post(url, {"unit": "hours", "amount": "2", "reason": "x"}).status_code == 404
    assert not AreaClockSetting.objects.exists()


def test_national_rules_have_no_area_setting_page(signed_in):
    client = signed_in("council.admin")
    assert client.get(reverse("clocks:area-setting", args=["initial-conference"])).status_code == 404
    assert client.get(reverse("clocks:area-setting", args=["no-such-rule"])).status_code == 404


def test_a_childs_record_lists_the_clocks_of_the_viewers_organisation_only(signed_in, cast, assessment):
    url = reverse("people:record", args=[cast.people["Amelia Hart"].pk])
    council = signed_in("social.worker").get(url)
    assert "Deadlines your organisation is working to" in council.text
    assert reverse("clocks:clock", args=[assessment.pk]) in council.text
    police = signed_in("police.officer").get(url)  # the police may see Amelia, but not the council's clocks
    assert police.status_code == 200
    assert "Deadlines your organisation is working to" not in police.text


def test_home_page_counts_my_deadlines_and_escalations(signed_in, assessment):
    services.clocks_sweep_breaches()
    worker = signed_in("social.worker").get(reverse("web:home"))
    assert worker.context["deadlines"].mine_overdue == 1
    assert 'data-testid="home-count-overdue">1<' in worker.text
    assert "raised to you" not in worker.text  # a social worker is not raised missed deadlines
    manager = signed_in("team.manager").get(reverse("web:home"))
    assert manager.context["deadlines"].escalated == 1 and manager.context["deadlines"].mine_overdue == 0
    assert 'home-escalation-count">1</span> missed deadline raised to you' in manager.text
    assert "Escalations (1)" in manager.text
    assert signed_in("council.admin").get(reverse("web:home")).context["deadlines"] is None


def test_an_inspector_sees_the_councils_clocks_as_counts(signed_in, cast, assessment):
    from openmash.access.models import Inspection

    council = cast.organisations["council"]
    worker = cast.users["social.worker"]
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    in_time = services.clock_start(
        rule="assessment", started_at=start, organisation=council, subject_type="t", subject_id="in-time"
    )
    from openmash.accounts.actors import actor_for_user

    services.clock_stop(actor=actor_for_user(worker), clock=in_time, at=start + dt.timedelta(days=3))
    services.clock_start(  # another council's: not counted
        rule="assessment",
        started_at=start,
        organisation=cast.organisations["unrelated-council"],
        subject_type="t",
        subject_id="bury",
    )
    inspection = Inspection.objects.get(council=council)
    page = signed_in("inspector").get(reverse("insight:inspection", args=[inspection.pk]))
    [measure] = page.context["summary"].clocks
    # Amelia's overdue assessment (the fixture) and the one met in time.
    assert (measure.rule, measure.met, measure.late, measure.overdue, measure.running) == (
        "assessment",
        1,
        0,
        1,
        0,
    )
    assert measure.on_time_share == 100
    assert 'data-testid="clock-measure-assessment"' in page.text
    assert "Amelia" not in page.text.split("Sampled cases")[0]  # counts, never names


def test_a_time_the_clocks_skipped_is_a_form_error():
    from openmash.clocks.forms import DoneForm

    skipped = DoneForm(
        data={"done_date_0": "29", "done_date_1": "3", "done_date_2": "2026", "done_time": "01:30"}
    )
    assert not skipped.is_valid()
    assert "did not happen in London" in skipped.errors["done_time"][0]
    repeated = DoneForm(
        data={"done_date_0": "25", "done_date_1": "10", "done_date_2": "2026", "done_time": "01:30"}
    )
    assert repeated.is_valid(), repeated.errors
    assert repeated.done_at().isoformat() == "2026-10-25T00:30:00+00:00"  # the first 01:30, summer time
