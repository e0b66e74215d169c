"""The demo story: a few days of recent work about the Hart family, recorded through the real services on top of
the demo cast, so that every demo sign-in lands on pages with something in them.

``openmash demo`` loads it after the cast; the tests do not (their personas are the cast alone). All times are
relative to now, so the demo always looks current. Loading it twice adds nothing: the first incident's police
reference says it is already there.

What happens, in order:

1. Cleveland Police record a domestic abuse incident at 12 Rowan Street three days ago (Amelia and her mother
   Sarah Hart). The MASH reads it and decides on a strategy discussion (which starts that clock); the school
   reads and notes its Operation Encompass notice.
2. The police record a second, higher-risk incident there yesterday. Nobody has acknowledged it yet: it waits
   in the MASH inbox and in the school's Encompass inbox.
3. Nine hours ago the police take Amelia into police protection: the force's 72-hour clock starts; the council's
   strategy-discussion clock is already running (one duty to the child, one clock). The MASH acknowledges the
   notice, deciding on a strategy discussion.
4. The social worker convenes and holds the strategy discussion (police, health and the school take part):
   section 47 enquiries start today, which meets the strategy-discussion clock and starts the initial child
   protection conference clock.
5. The initial child protection conference is scheduled, police and health invited. Health has sent its report;
   the police have not yet.
6. The social worker asks the police for a joint visit tomorrow; the force has not yet named an officer.
7. Noah Hart's child and family assessment, from a referral received by phone eleven weeks ago, is overdue: the
   clock is breached and escalated to the team manager.
8. Leo Marsh, looked after, has a Philomena profile kept by his social worker (released to the police if he is
   reported missing).
9. The council has asked Cleveland Police for vetting checks on a prospective foster carer (16 days ago, past
   the 14-day standard, holding up a placement) and on an adopter (3 days ago, police local checks started).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openmash.accounts.actors import Actor, actor_for_user
from openmash.casework.models import PoliceNeed
from openmash.casework.services import joint_visit_request
from openmash.clocks.services import clock_start, clocks_sweep_breaches
from openmash.demo.cast import DemoCast
from openmash.events.models import Event, EventKind, RiskLevel, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.meetings.models import Meeting, MeetingKind, Participation
from openmash.meetings.services import (
    AttendanceInput,
    agency_report_submit,
    conference_schedule,
    strategy_discussion_convene,
    strategy_discussion_record_outcome,
)
from openmash.philomena.services import ProfileInput, profile_save
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing import delivery
from openmash.sharing.models import Decision, Share
from openmash.vetting.models import VettingStage
from openmash.vetting.services import VettingRequestInput, vetting_request_submit, vetting_stage_record

# The first incident's police reference: the cast already names it as the police force's reason to see Amelia
# and Sarah Hart. Its presence means the story is loaded.
FIRST_INCIDENT = "CLE-26-0001"
SECOND_INCIDENT = "CLE-26-0002"
# Noah's assessment started from a referral taken by phone, before it was in OpenMASH: the clock's subject.
PHONE_REFERRAL = "STC-REF-DEMO-0417"
ADDRESS = "12 Rowan Street"
POSTCODE = "TS18 1AA"
WORKER_ID = "demo-story"


def demo_story_loaded() -> bool:
    return Event.objects.filter(kind=EventKind.DOMESTIC_ABUSE, reference=FIRST_INCIDENT).exists()


def _at_local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _working_day(day: dt.date) -> dt.date:
    """The day itself, or the Monday after if it falls at a weekend."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _deliver_waiting() -> None:
    """Deliver what is waiting, as the worker does (so the inboxes hold it before anyone acts on it)."""
    while delivery.run_once(WORKER_ID):
        pass


def _share_to(shares: list[Share], organisation_pk: int) -> Share:
    return next(share for share in shares if share.recipient_id == organisation_pk)


def _everyone_attended(meeting: Meeting) -> list[AttendanceInput]:
    return [
        AttendanceInput(organisation_id=invitation.organisation_id, participation=Participation.ATTENDED)
        for invitation in meeting.invitations.all()
    ]


def _incident(
    officer: Actor,
    cast: DemoCast,
    *,
    reference: str,
    occurred_at: dt.datetime,
    risk_level: str,
    summary: str,
    saw_heard: str,
    child_words: str,
) -> list[Share]:
    recorded = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference=reference,
            occurred_at=occurred_at,
            reported_at=occurred_at + dt.timedelta(minutes=12),
            location=ADDRESS,
            postcode=POSTCODE,
            risk_level=risk_level,
            summary=summary,
            people=[
                PersonInput(
                    role=SubjectRole.CHILD,
                    person_id=cast.people["Amelia Hart"].pk,
                    details={"present": True, "saw_heard": saw_heard, "child_words": child_words},
                ),
                PersonInput(role=SubjectRole.ADULT, person_id=cast.people["Sarah Hart"].pk),
            ],
        ),
    )
    return recorded.shares


@transaction.atomic
def demo_story_load(cast: DemoCast) -> list[str]:
    """Record the demo story on top of the cast; one line per thing recorded. Nothing if it is already there."""
    if demo_story_loaded():
        return []
    lines: list[str] = []
    users = {username: actor_for_user(user) for username, user in cast.users.items()}
    officer, mash, worker = users["police.officer"], users["mash.practitioner"], users["social.worker"]
    council = cast.organisations["council"]
    health, school = cast.organisations["health"], cast.organisations["school"]
    amelia, noah = cast.people["Amelia Hart"], cast.people["Noah Hart"]
    now = timezone.now()

    # 1 and 2: two domestic abuse incidents at the Harts' home.
    first = _incident(
        officer,
        cast,
        reference=FIRST_INCIDENT,
        occurred_at=now - dt.timedelta(days=3, hours=2),
        risk_level=RiskLevel.MEDIUM,
        summary="Neighbours called police to shouting and banging. Sarah Hart had a cut lip; her partner had "
        "left before officers arrived. Amelia was at home.",
        saw_heard="Heard shouting and something breaking",
        child_words="I went under my bed until it stopped",
    )
    lines.append(
        f"Cleveland Police recorded domestic abuse incident {FIRST_INCIDENT} (3 days ago) about Amelia and "
        "Sarah Hart, shared with the council and the school"
    )
    _incident(
        officer,
        cast,
        reference=SECOND_INCIDENT,
        occurred_at=now - dt.timedelta(days=1, hours=1),
        risk_level=RiskLevel.HIGH,
        summary="Second call-out in three days. Sarah Hart's partner returned to the address and made threats "
        "to kill; he was arrested at the scene. Amelia saw the arrest.",
        saw_heard="Saw the arrest; heard threats",
        child_words="He said he would come back",
    )
    lines.append(
        f"Cleveland Police recorded domestic abuse incident {SECOND_INCIDENT} (yesterday), not yet acknowledged: "
        "in the MASH inbox and the school's Operation Encompass inbox"
    )
    _deliver_waiting()

    share_acknowledge(
        actor=mash,
        share=_share_to(first, council.pk),
        decision=Decision.STRATEGY_DISCUSSION,
        reasons="Escalating domestic abuse with a child present; reasonable cause to suspect significant harm",
    )
    share_acknowledge(actor=users["school.dsl"], share=_share_to(first, school.pk), decision=Decision.NOTED)
    lines.append(
        f"The MASH acknowledged {FIRST_INCIDENT} with a decision of strategy discussion (its clock started); "
        "the school noted its Operation Encompass notice"
    )

    # 3: police protection, nine hours ago.
    protection = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.POLICE_PROTECTION,
            reference="CLE-26-0003",
            occurred_at=now - dt.timedelta(hours=9),
            postcode=POSTCODE,
            location=ADDRESS,
            summary="Amelia found alone at home overnight while her mother was at hospital; no relative could be "
            "reached.",
            details={
                "designated_officer": "Insp Grace Oduya",
                "reasons": "Child alone at night after two domestic abuse incidents this week",
                "alternatives_discussed": True,
                "alternatives_discussed_with": "Ruth Okafor, team manager, Stockton-on-Tees",
            },
            people=[PersonInput(role=SubjectRole.CHILD, person_id=amelia.pk)],
        ),
    )
    lines.append(
        "Cleveland Police took Amelia Hart into police protection (9 hours ago): the 72-hour clock started "
        "(the council's strategy-discussion clock was already running)"
    )
    _deliver_waiting()
    share_acknowledge(
        actor=mash,
        share=_share_to(protection.shares, council.pk),
        decision=Decision.STRATEGY_DISCUSSION,
        reasons="Child in police protection after two domestic abuse incidents this week",
    )
    lines.append("The MASH acknowledged the police protection notice with a decision of strategy discussion")

    # 4: the strategy discussion, held now (it must come after the clocks it meets started).
    discussion = strategy_discussion_convene(
        actor=worker,
        child=amelia,
        scheduled_for=timezone.now(),
        invited=[health, school],
        location="By video",
        purpose="Two domestic abuse incidents in three days and police protection overnight",
    )
    discussion = strategy_discussion_record_outcome(
        actor=worker,
        meeting=discussion,
        held_at=timezone.now(),
        attendance=_everyone_attended(discussion),
        s47_decision=True,
        decision_reasons="Repeated domestic abuse witnessed by Amelia and threats to kill; police protection",
        s47_started_on=timezone.localdate(),
        actions="Joint visit with police; health to share A&E attendances; school to report on attendance",
    )
    lines.append(
        f"Strategy discussion {discussion.reference} about Amelia Hart held with police, health and the school: "
        "section 47 enquiries started today"
    )

    # 5: the initial child protection conference.
    conference_day = _working_day(timezone.localdate() + dt.timedelta(days=12))
    conference = conference_schedule(
        actor=worker,
        kind=MeetingKind.INITIAL_CONFERENCE,
        child=amelia,
        scheduled_for=_at_local(conference_day, 10),
        invited=[health],
        strategy_discussion=discussion,
        location="Municipal Buildings, Stockton-on-Tees",
    )
    agency_report_submit(
        actor=users["health.practitioner"],
        meeting=conference,
        text="Amelia is up to date with immunisations. Sarah Hart attended A&E twice this year with injuries "
        "she said were falls.",
    )
    lines.append(
        f"Initial child protection conference {conference.reference} scheduled for {conference_day:%-d %B %Y}, "
        "police and health invited: health's report sent, the police report not yet"
    )

    # 6: a joint visit, waiting for the police to name an officer.
    visit_day = _working_day(timezone.localdate() + dt.timedelta(days=1))
    joint_visit_request(
        actor=worker,
        person=amelia,
        planned_for=_at_local(visit_day, 10),
        police_needed_because=[PoliceNeed.RISK, PoliceNeed.EVIDENTIAL],
        purpose="Section 47 visit to see Amelia and her mother; the partner has made threats to kill",
        address=ADDRESS,
    )
    lines.append(
        f"Joint visit to Amelia Hart on {visit_day:%-d %B %Y} requested from Cleveland Police, "
        "waiting for them to name an officer"
    )

    # 7: Noah's assessment, overdue and escalated.
    clock_start(
        rule=ClockRule.ASSESSMENT,
        started_at=now - dt.timedelta(days=77),
        organisation=council,
        subject_type="referral",
        subject_id=PHONE_REFERRAL,
        person=noah,
        owner=cast.users["social.worker"],
    )
    clocks_sweep_breaches()
    lines.append(
        "Noah Hart's child and family assessment (referral 11 weeks ago) is overdue for Dev Patel "
        "and escalated to the team manager"
    )

    # 8: Leo's Philomena profile.
    profile_save(
        actor=worker,
        child=cast.people["Leo Marsh"],
        data=ProfileInput(
            description="Tall for his age, short dark hair, small scar above his left eyebrow; usually wears a "
            "black hooded top",
            associates=["Kyle (school friend), often at Thornaby skate park"],
            places=["Thornaby skate park", "Stockton bus station"],
            phone_numbers=["07700 900123 (Leo's own)"],
            health_needs="Asthma",
            medication="Salbutamol inhaler, as needed",
        ),
    )
    lines.append("Leo Marsh's Philomena profile is kept by Dev Patel")

    # 9: two vetting checks at Cleveland Police.
    vetting_request_submit(
        actor=worker,
        data=VettingRequestInput(
            given_name="Jordan",
            family_name="Blake",
            date_of_birth=dt.date(1984, 6, 1),
            role="foster-carer",
            household="Blake household (demo)",
            placements_blocked="Two brothers, 6 and 9, matched with the Blake household",
            submitted_at=now - dt.timedelta(days=16),
        ),
    )
    adopter = vetting_request_submit(
        actor=worker,
        data=VettingRequestInput(
            given_name="Sam",
            family_name="Okoro",
            date_of_birth=dt.date(1988, 2, 14),
            role="adopter",
            submitted_at=now - dt.timedelta(days=3),
        ),
    )
    vetting_stage_record(
        actor=users["vetting.officer"],
        request=adopter,
        stage=VettingStage.LOCAL_CHECK_STARTED,
        at=now - dt.timedelta(days=1),
    )
    lines.append(
        "Vetting checks asked of Cleveland Police: a foster carer waiting 16 days (past the 14-day standard, "
        "holding up a placement) and an adopter whose police local checks have started"
    )
    _deliver_waiting()
    return lines
