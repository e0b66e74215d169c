"""The demo story (openmash/demo/story.py): recorded on top of the cast through the real services, it puts
something on every main page a demo sign-in lands on, and loading it again adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from openmash.casework.models import JointVisit, VisitStatus
from openmash.clocks.models import Clock
from openmash.demo.cast import SIGN_INS
from openmash.demo.story import FIRST_INCIDENT, SECOND_INCIDENT, demo_story_load
from openmash.events.models import Event
from openmash.meetings.models import AgencyReport, Meeting, MeetingKind
from openmash.sharing.models import Decision, Share


def _counts() -> tuple[int, ...]:
    return (
        Event.objects.count(),
        Share.objects.count(),
        Clock.objects.count(),
        Meeting.objects.count(),
        JointVisit.objects.count(),
    )


@pytest.fixture
def story(cast):
    return demo_story_load(cast)


def test_story_records_one_line_per_thing_and_again_adds_nothing(cast, story):
    assert len(story) == 11
    assert any(FIRST_INCIDENT in line for line in story)
    before = _counts()
    assert demo_story_load(cast) == []
    assert _counts() == before


def test_one_incident_acknowledged_with_a_strategy_discussion_and_one_waiting(cast, story):
    council = cast.organisations["council"]
    first = Share.objects.get(event__reference=FIRST_INCIDENT, recipient=council)
    second = Share.objects.get(event__reference=SECOND_INCIDENT, recipient=council)
    assert first.decision == Decision.STRATEGY_DISCUSSION and first.acknowledged_at is not None
    assert second.acknowledged_at is None and second.delivered_at is not None
    assert Clock.objects.filter(
        rule="strategy-discussion", subject_type="share", subject_id=str(first.pk)
    ).exists()


def test_mash_and_school_inboxes_hold_the_unacknowledged_incident(signed_in, story):
    mash = signed_in("mash.practitioner").get(reverse("sharing:inbox")).text
    assert SECOND_INCIDENT in mash and FIRST_INCIDENT in mash
    school = signed_in("school.dsl").get(reverse("sharing:inbox")).text
    assert f"Operation Encompass notice {SECOND_INCIDENT}" in school


def test_police_protection_starts_the_72_hour_and_strategy_discussion_clocks(cast, story):
    amelia = cast.people["Amelia Hart"]
    protection = Clock.objects.get(rule="police-protection-max", person=amelia)
    assert protection.organisation == cast.organisations["police"] and protection.stopped_at is None
    # One duty, one clock: the MASH's first decision started it; police protection and the second decision
    # found it running, and the strategy discussion met it.
    [discussion_clock] = Clock.objects.filter(rule="strategy-discussion", person=amelia)
    assert discussion_clock.stopped_at is not None and discussion_clock.met
    assert Clock.objects.get(rule="initial-conference", person=amelia).stopped_at is None


def test_police_see_the_conference_and_the_joint_visit_waiting_for_them(cast, signed_in, story):
    conference = Meeting.objects.get(kind=MeetingKind.INITIAL_CONFERENCE, child=cast.people["Amelia Hart"])
    discussion = conference.strategy_discussion
    assert discussion is not None and discussion.s47_decision is True and discussion.held_at is not None
    invited = {invitation.organisation.code: invitation for invitation in conference.invitations.all()}
    assert set(invited) == {cast.organisations["police"].code, cast.organisations["health"].code}
    reported = set(
        AgencyReport.objects.filter(invitation__meeting=conference).values_list(
            "invitation__organisation__code", flat=True
        )
    )
    assert reported == {cast.organisations["health"].code}  # the police report is still to come
    police = signed_in("police.officer")
    meetings = police.get(reverse("meetings:list")).text
    assert conference.reference in meetings and discussion.reference in meetings
    visit = JointVisit.objects.get(person=cast.people["Amelia Hart"])
    assert visit.status == VisitStatus.REQUESTED
    assert "Amelia Hart" in police.get(reverse("casework:visits")).text


def test_deadlines_show_the_overdue_assessment_and_its_escalation(cast, signed_in, story):
    worker = signed_in("social.worker").get(reverse("clocks:deadlines")).text
    overdue = worker.split('data-testid="overdue"', 1)[1]
    assert "Child and family assessment" in overdue and "Noah Hart" in overdue
    manager = signed_in("team.manager").get(reverse("clocks:escalations")).text
    escalated = manager.split('data-testid="escalations"', 1)[1].split("</table>", 1)[0]
    assert "Child and family assessment" in escalated and "Noah Hart" in escalated
    clock = Clock.objects.get(rule="assessment", person=cast.people["Noah Hart"])
    assert clock.owner == cast.users["social.worker"]
    assert clock.breached_at is not None and clock.escalated_at is not None


def test_demo_command_prints_the_story_once_and_the_sign_ins_each_time(cast):
    first, second = io.StringIO(), io.StringIO()
    call_command("demo", stdout=first)
    assert "Demo story recorded:" in first.getvalue() and FIRST_INCIDENT in first.getvalue()
    before = _counts()
    call_command("demo", stdout=second)
    assert "Demo story already recorded: nothing added" in second.getvalue()
    assert "Demo sign-ins (password for all:" in second.getvalue() and "police.officer" in second.getvalue()
    assert _counts() == before


@pytest.mark.parametrize("username", [username for username, *_rest in SIGN_INS])
def test_every_sign_in_opens_its_pages_with_the_story_loaded(signed_in, story, username):
    client = signed_in(username)
    for name in [
        "web:home",
        "sharing:inbox",
        "sharing:submissions",
        "clocks:deadlines",
        "meetings:list",
        "casework:visits",
        "casework:protections",
    ]:
        assert client.get(reverse(name)).status_code in (200, 302, 403, 404), (username, name)


def test_the_vetting_officer_sees_the_backlog_and_leos_profile_is_kept(cast, signed_in, story):
    backlog = signed_in("vetting.officer").get("/vetting/backlog/").content.decode()
    assert "Two brothers, 6 and 9" in backlog
    profile = (
        signed_in("social.worker").get(f"/people/{cast.people['Leo Marsh'].pk}/philomena/").content.decode()
    )
    assert "Thornaby skate park" in profile
