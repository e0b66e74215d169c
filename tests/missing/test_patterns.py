"""Places and associates that recur across different children, for the area's exploitation lead."""

import pytest

from openmash.lib.errors import NotAllowed
from openmash.missing import selectors, services
from openmash.recording.services import PersonInput

from .conftest import ago


def _interview(cast, actor_of, child_key: str, reporter: str, place: str, associate: str) -> None:
    episode = services.missing_report_record(
        actor=actor_of(reporter),
        data=services.MissingReportInput(
            last_seen_at=ago(hours=6), child=PersonInput(person_id=cast.people[child_key].pk)
        ),
    ).episode
    episode = services.found_report_record(
        actor=actor_of(reporter), episode=episode, data=services.FoundInput(found_at=ago(hours=4))
    ).episode
    interviewer = actor_of("return.interviewer")
    interview = services.return_interview_offer(
        actor=interviewer,
        episode=episode,
        offered_at=ago(hours=3),
        offered_to="the child",
        response="accepted",
    )
    services.return_interview_record(
        actor=interviewer,
        interview=interview,
        interviewer=cast.users["return.interviewer"],
        outcome=services.InterviewOutcome(
            held_at=ago(hours=2),
            held_where="School",
            why_went="Met friends",
            places=[place],
            associates=[associate],
        ),
    )


def test_a_place_two_children_named_is_listed_with_both(cast, actor_of):
    _interview(cast, actor_of, "Leo Marsh", "home.carer", "Red Lion car park", "Jay")
    _interview(cast, actor_of, "Amelia Hart", "police.officer", "red lion car-park", "Sam")
    patterns = selectors.exploitation_patterns(
        actor=actor_of("team.manager"), council=cast.organisations["council"]
    )
    assert [(p.kind, p.name, {c.given_name for c in p.children}) for p in patterns] == [
        ("place", "Red Lion car park", {"Leo", "Amelia"})
    ]
    lead = selectors.exploitation_patterns(
        actor=actor_of("partnership.lead"), council=cast.organisations["council"]
    )
    assert len(lead) == 1
    for username in ("social.worker", "bury.social.worker", "police.officer"):
        with pytest.raises(NotAllowed):
            selectors.exploitation_patterns(actor=actor_of(username), council=cast.organisations["council"])


def test_the_patterns_page_is_the_leads_only(cast, actor_of, signed_in):
    _interview(cast, actor_of, "Leo Marsh", "home.carer", "Red Lion car park", "Jay")
    _interview(cast, actor_of, "Amelia Hart", "police.officer", "Red Lion car park", "Jay")
    page = signed_in("team.manager").get("/missing/patterns/")
    assert page.status_code == 200 and b"Red Lion car park" in page.content and b"Jay" in page.content
    assert signed_in("social.worker").get("/missing/patterns/").status_code == 404
    assert signed_in("school.dsl").get("/missing/patterns/").status_code == 404
