"""A team manager allocates a strategy discussion; the clocks its outcome starts are the allocated worker's."""

from django.urls import reverse
from django.utils import timezone

from openmash.clocks.models import Allocation, Clock, WorkType
from openmash.meetings import services
from tests.meetings.conftest import everyone_attended


def test_a_strategy_discussion_is_allocated_and_its_clocks_follow_the_worker(
    cast, actor, signed_in, strategy_discussion
):
    url = reverse("meetings:allocate", args=[strategy_discussion.pk])
    assert signed_in("social.worker").get(url).status_code == 404  # not a team manager
    assert signed_in("health.practitioner").get(url).status_code == 404  # invited, not the council
    manager = signed_in("team.manager")
    page = manager.get(reverse("meetings:detail", args=[strategy_discussion.pk]))
    assert "Not allocated" in page.text and url in page.text and "Back to meetings" in page.text
    done = manager.post(url, {"worker": cast.users["mash.practitioner"].pk})
    assert done.status_code == 302
    allocation = Allocation.objects.get(work_type=WorkType.MEETING, work_id=str(strategy_discussion.pk))
    assert allocation.worker == cast.users["mash.practitioner"]
    # The social worker who convened it records the outcome; the conference's clock is the allocated worker's.
    services.strategy_discussion_record_outcome(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        held_at=timezone.now(),
        attendance=everyone_attended(strategy_discussion),
        s47_decision=True,
        decision_reasons="Bruising explained inconsistently",
        s47_started_on=timezone.localdate(),
    )
    started = Clock.objects.filter(
        subject_id=str(strategy_discussion.pk), subject_type__startswith="meeting:"
    )
    assert started.exists()
    assert {clock.owner for clock in started} == {cast.users["mash.practitioner"]}
