"""Allocation, the deadlines board, the caseload and escalations that reach someone."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from openmash.accounts.actors import actor_for_user
from openmash.accounts.models import Role, User
from openmash.accounts.services import user_create
from openmash.audit.models import AuditEntry
from openmash.clocks import selectors, services
from openmash.clocks.models import Allocation, Clock, WorkType
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import event_record
from openmash.sharing.delivery import run_once
from openmash.sharing.models import Decision, Share
from openmash.sharing.services import escalate_overdue
from tests.sharing.conftest import incident_at_amelias_home


@pytest.fixture
def council_share(cast) -> Share:
    """A domestic-abuse notification delivered to the council's front door soon after the incident, weeks ago:
    the front door's decision (1 working day from arrival) is overdue now."""
    data = incident_at_amelias_home(cast)
    with time_machine.travel(data.reported_at + dt.timedelta(minutes=30), tick=True):
        recorded = event_record(actor=actor_for_user(cast.users["police.officer"]), data=data)
        run_once("test")
    return Share.objects.get(event=recorded.event, recipient=cast.organisations["council"])


def allocate(cast, share, worker="social.worker", by="team.manager"):
    return services.work_allocate(
        actor=actor_for_user(by if isinstance(by, User) else cast.users[by]),
        organisation=share.recipient,
        work_type=WorkType.SHARE,
        work_id=share.pk,
        worker=worker if isinstance(worker, User) else cast.users[worker],
        person_ids=share.people.values_list("pk", flat=True),
    )


def test_a_team_manager_allocates_and_the_decisions_clocks_follow_the_worker(cast, council_share):
    allocation = allocate(cast, council_share)
    assert allocation.worker == cast.users["social.worker"]
    # One audit entry per person the notification names.
    audited = AuditEntry.objects.filter(object_type="allocation", reason="allocated work")
    assert {str(entry.person_id) for entry in audited} == {
        str(pk) for pk in council_share.people.values_list("pk", flat=True)
    }
    # The manager records the decision; the assessment's clocks are still the worker's.
    share_acknowledge(
        actor=actor_for_user(cast.users["team.manager"]),
        share=council_share,
        decision=Decision.ASSESSMENT,
        reasons="Third incident this month",
    )
    # The council's own clocks (the police's notification clock for the same share is the sender's).
    clocks = Clock.objects.filter(
        subject_type="share", subject_id=str(council_share.pk), organisation=council_share.recipient
    )
    assert clocks.count() == 2
    assert {clock.owner for clock in clocks} == {cast.users["social.worker"]}


def test_reallocating_moves_the_open_clocks_and_keeps_the_history(cast, council_share):
    allocate(cast, council_share)
    share_acknowledge(
        actor=actor_for_user(cast.users["social.worker"]),
        share=council_share,
        decision=Decision.ASSESSMENT,
        reasons="Third incident",
    )
    allocate(cast, council_share, worker="mash.practitioner")
    # The council's own clocks (the police's notification clock for the same share is the sender's).
    clocks = Clock.objects.filter(
        subject_type="share", subject_id=str(council_share.pk), organisation=council_share.recipient
    )
    assert {clock.owner for clock in clocks} == {cast.users["mash.practitioner"]}
    rows = Allocation.objects.filter(work_id=str(council_share.pk)).order_by("allocated_at")
    assert [row.worker.username for row in rows] == ["social.worker", "mash.practitioner"]
    assert rows[0].ended_at is not None and rows[1].ended_at is None
    assert AuditEntry.objects.filter(object_type="allocation", reason="reallocated work").exists()


@pytest.mark.parametrize(
    "persona", ["social.worker", "mash.practitioner", "council.admin", "bury.social.worker"]
)
def test_only_the_organisations_team_managers_allocate(cast, council_share, persona):
    with pytest.raises(NotAllowed):
        allocate(cast, council_share, by=persona)
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("worker", ["council.admin", "police.officer", "bury.social.worker"])
def test_work_goes_only_to_a_case_worker_of_the_organisation(cast, council_share, worker):
    with pytest.raises(InvalidInput):
        allocate(cast, council_share, worker=worker)
    assert not Allocation.objects.exists()


def test_a_manager_with_a_team_allocates_within_it(cast, council_share):
    outsider = user_create(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=cast.organisations["council"],
        username="other.team",
        email="o@example.org",
        first_name="Olive",
        last_name="Other",
        roles=[Role.SOCIAL_WORKER],
        team="Children in care",
    )
    manager = actor_for_user(cast.users["team.manager"])
    assert outsider not in selectors.allocatable_workers(manager)
    assert cast.users["social.worker"] in selectors.allocatable_workers(manager)
    with pytest.raises(InvalidInput):
        allocate(cast, council_share, worker=outsider)


def test_the_allocation_page_is_a_gov_uk_one_question_page(signed_in, cast, council_share):
    url = reverse("clocks:allocate", args=["share", council_share.pk])
    assert signed_in("social.worker").get(url).status_code == 404
    assert signed_in("bury.social.worker").get(url).status_code == 404
    manager = signed_in("team.manager")
    empty = manager.post(url, {})
    assert empty.status_code == 200 and "Choose who will do this work" in empty.text
    assert "<title>Error: " in empty.text
    done = manager.post(url, {"worker": cast.users["social.worker"].pk})
    assert done.status_code == 302 and done["Location"] == reverse("sharing:share", args=[council_share.pk])
    page = manager.get(done["Location"]).text
    assert "Allocated to Dev Patel" in page and "Back to the inbox" in page


def test_allocated_work_is_on_the_workers_and_the_managers_lists(signed_in, cast, council_share):
    worker = actor_for_user(cast.users["social.worker"])
    assert selectors.deadlines(actor=worker, scope=selectors.Scope.MINE).total == 0
    allocate(cast, council_share)
    mine = selectors.deadlines(actor=worker, scope=selectors.Scope.MINE)
    assert [item.work_id for item in mine.overdue] == [str(council_share.pk)]
    team = selectors.deadlines(actor=actor_for_user(cast.users["team.manager"]), scope=selectors.Scope.TEAM)
    assert str(council_share.pk) in [item.work_id for item in team.overdue]
    # Nobody else's "mine" list shows it.
    practitioner = actor_for_user(cast.users["mash.practitioner"])
    assert selectors.deadlines(actor=practitioner, scope=selectors.Scope.MINE).total == 0
    loads = {
        load.worker.username if load.worker else None: load
        for load in selectors.caseload(actor=actor_for_user(cast.users["team.manager"]))
    }
    assert loads["social.worker"].overdue == 1 and len(loads["social.worker"].items) == 1
    assert loads["mash.practitioner"].items == []
    caseload = signed_in("team.manager").get(reverse("clocks:caseload"))
    assert caseload.status_code == 200 and "1 overdue" in caseload.text
    assert signed_in("social.worker").get(reverse("clocks:caseload")).status_code == 404


def test_the_deadlines_page_filters_and_counts(signed_in, cast, council_share):
    manager = signed_in("team.manager")
    page = manager.get(reverse("clocks:deadlines"), {"scope": "organisation"})
    assert 'data-testid="count-overdue">1<' in page.text
    only_clocks = manager.get(reverse("clocks:deadlines"), {"scope": "organisation", "what": "assessment"})
    assert 'data-testid="count-overdue">0<' in only_clocks.text
    notices = manager.get(reverse("clocks:deadlines"), {"scope": "organisation", "what": "notifications"})
    assert 'data-testid="count-overdue">1<' in notices.text
    allocate(cast, council_share)
    unallocated = manager.get(reverse("clocks:deadlines"), {"scope": "organisation", "unallocated": "yes"})
    assert 'data-testid="count-overdue">0<' in unallocated.text


def test_an_escalation_reaches_the_team_manager_then_the_partnership_lead(signed_in, cast, council_share):
    assert council_share.due_at is not None
    escalate_overdue(now=council_share.due_at + dt.timedelta(minutes=1))
    manager = actor_for_user(cast.users["team.manager"])
    [item] = selectors.escalations(actor=manager)
    assert "Amelia Hart" in item.children
    lead = actor_for_user(cast.users["partnership.lead"])
    assert selectors.escalations(actor=lead) == []
    escalate_overdue(now=council_share.due_at + dt.timedelta(days=60))
    # The partnership is raised what the council missed; the school's reading of its Encompass notice has no
    # deadline, so nothing of the school's escalates (issue 13: only the recipient's own clock escalates).
    raised_all = selectors.escalations(actor=lead)
    assert {item.organisation for item in raised_all} == {cast.organisations["council"].name}
    [raised] = [item for item in raised_all if item.organisation == cast.organisations["council"].name]
    assert raised.children == "" and raised.url == ""  # the partnership is told what and by whom, not whom
    page = signed_in("partnership.lead").get(reverse("clocks:escalations"))
    assert "Amelia" not in page.text and "Escalations (1)" in page.text
    for persona in ("social.worker", "police.officer", "council.admin"):
        assert signed_in(persona).get(reverse("clocks:escalations")).status_code == 404
    # Done: the share acknowledged, the escalation leaves both lists.
    share_acknowledge(
        actor=actor_for_user(cast.users["social.worker"]),
        share=council_share,
        decision=Decision.NO_FURTHER_ACTION,
        reasons="Known; support in place",
    )
    assert selectors.escalations(actor=manager) == []
    assert selectors.escalations(actor=lead) == []


@pytest.mark.parametrize("persona", ["team.manager", "partnership.lead", "social.worker"])
def test_the_home_page_counts_agree_with_the_lists_they_summarise(signed_in, cast, council_share, persona):
    assert council_share.due_at is not None
    escalate_overdue(now=council_share.due_at + dt.timedelta(days=60))
    allocate(cast, council_share)
    services.clocks_sweep_breaches()
    client = signed_in(persona)
    home = client.get(reverse("web:home"))
    summary = home.context["deadlines"]
    board = client.get(reverse("clocks:deadlines"), {"scope": "mine"}).context["lists"]
    assert summary.mine == board.counts
    for name, count in board.counts.items():
        assert f'data-testid="home-count-{name}">{count}<' in home.text
    if home.context["escalations"] is not None:
        listed = client.get(reverse("clocks:escalations")).context["items"]
        assert home.context["escalations"] == len(listed) >= 1
        assert f"Escalations ({len(listed)})" in home.text
    else:
        assert persona == "social.worker" and "Escalations (" not in home.text
    if persona == "social.worker":
        assert board.counts["overdue"] == 1


def test_a_managers_escalations_are_their_teams_and_the_unallocated(cast, council_share):
    admin = actor_for_user(cast.users["council.admin"])
    made = {}
    for username, role in (("care.manager", Role.TEAM_MANAGER), ("care.worker", Role.SOCIAL_WORKER)):
        made[username] = user_create(
            actor=admin,
            organisation=cast.organisations["council"],
            username=username,
            email=f"{username}@example.org",
            first_name=username.split(".")[0].title(),
            last_name=username.split(".")[1].title(),
            roles=[role],
            team="Children in care",
        )
    assert council_share.due_at is not None
    escalate_overdue(now=council_share.due_at + dt.timedelta(minutes=1))
    front_door = actor_for_user(cast.users["team.manager"])
    care = actor_for_user(made["care.manager"])
    # Unallocated: raised to every team manager of the council.
    assert selectors.escalation_count(front_door) == selectors.escalation_count(care) == 1
    allocate(cast, council_share, worker=made["care.worker"], by=made["care.manager"])
    assert selectors.escalation_count(front_door) == 0 and selectors.escalations(actor=front_door) == []
    [item] = selectors.escalations(actor=care)
    assert item.worker == made["care.worker"]


@pytest.mark.parametrize(
    "persona",
    ["social.worker", "police.officer", "bury.social.worker", "inspector", "council.admin", "anonymous"],
)
def test_the_managers_pages_are_not_found_for_everyone_else(signed_in, cast, council_share, persona):
    from django.test import Client

    client = Client() if persona == "anonymous" else signed_in(persona)
    share_url = reverse("clocks:allocate", args=["share", council_share.pk])
    for url in (reverse("clocks:caseload"), reverse("clocks:escalations"), share_url):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "sign-in" in response["Location"], url
        else:
            assert response.status_code == 404, (persona, url)
    assert client.post(share_url, {"worker": cast.users["social.worker"].pk}).status_code in (302, 404)
    assert not Allocation.objects.exists()
