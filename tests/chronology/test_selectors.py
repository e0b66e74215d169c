"""The chronology read: time order, filters, what each agency sees of each entry, and the access policy."""

import datetime as dt

import pytest

from openmash.access import policy
from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditAction, AuditEntry
from openmash.chronology.selectors import ChronologyFilters, chronology_open, detail_items, kind_label
from openmash.events.models import Event, EventKind
from openmash.lib.errors import NotFound
from openmash.people import selectors as people_selectors
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing import selectors as sharing_selectors

from .stories import LONDON


def open_as(cast, username, person="Amelia Hart", **filters):
    return chronology_open(
        actor=actor_for_user(cast.users[username]),
        person_id=cast.people[person].pk,
        filters=ChronologyFilters(**filters),
    )


def test_it_lists_every_agency_s_entries_in_the_order_they_happened(cast, story):
    chronology = open_as(cast, "social.worker")
    assert [entry.event_id for entry in chronology.entries] == [event.pk for event in story.in_time_order]
    assert [entry.agency_name for entry in chronology.entries] == [
        "Stockton-on-Tees",
        "Cleveland Police",
        "Riverside Primary School (demo)",
        "Stockton-on-Tees",
    ]
    assert chronology.hidden == 0


def test_same_time_entries_are_ordered_by_when_they_were_recorded(cast, story):
    from .stories import record_incident

    later = record_incident(cast, "CLE-26-2002", story.incident.occurred_at)
    entries = open_as(cast, "police.officer").entries
    references = [entry.reference for entry in entries]
    assert references.index("CLE-26-2001") + 1 == references.index("CLE-26-2002")
    assert later.recorded_at > story.incident.recorded_at


def test_an_agency_sees_only_what_it_recorded_or_received_and_the_rest_is_counted(cast, story):
    police = open_as(cast, "police.officer")
    assert [entry.event_id for entry in police.entries] == [story.incident.pk, story.missing.pk]
    assert [entry.viewer_part for entry in police.entries] == ["recorded", "received"]
    assert police.hidden == 2
    school = open_as(cast, "school.dsl")
    assert [entry.event_id for entry in school.entries] == [story.incident.pk, story.referral.pk]
    assert school.hidden == 2
    health = open_as(cast, "health.practitioner")
    assert [entry.event_id for entry in health.entries] == [story.information_share.pk]
    assert health.hidden == 3


def test_each_entry_shows_times_source_and_who_recorded_it(cast, story):
    entry = open_as(cast, "social.worker").entries[1]
    assert entry.kind_label == "Domestic abuse incident"
    assert entry.reference == "CLE-26-2001"
    assert entry.occurred_at == dt.datetime(2026, 11, 10, 21, 30, tzinfo=LONDON)
    assert entry.reported_at == dt.datetime(2026, 11, 10, 21, 40, tzinfo=LONDON)
    assert entry.recorded_at == story.incident.recorded_at
    assert entry.shared_at == story.incident.shares.get(recipient=cast.organisations["council"]).shared_at
    assert entry.recorded_by == "Priya Shah (police.officer)"
    assert entry.risk_level == "Medium"
    assert ("Marac referral", "No") in entry.details
    assert ("Weapons", "none seen") in entry.details
    assert entry.about_child == [
        ("Present", "Yes"),
        ("Saw or heard", "Heard shouting"),
        ("In their own words", "I hid upstairs"),
    ]
    council_share = story.incident.shares.get(recipient=cast.organisations["council"])
    assert [link.url for link in entry.links] == [f"/shares/{council_share.pk}/"]


def test_the_recorder_links_to_each_share_it_sent(cast, story):
    entry = open_as(cast, "police.officer").entries[0]
    assert [link.label for link in entry.links] == [
        "Sent to Riverside Primary School (demo)",
        "Sent to Stockton-on-Tees",
    ]
    assert entry.shared_at == min(share.shared_at for share in story.incident.shares.all())


def test_a_school_sees_no_more_than_its_operation_encompass_notice(cast, story):
    entry = open_as(cast, "school.dsl").entries[0]
    assert entry.event_id == story.incident.pk and entry.encompass
    assert entry.summary == "Argument between adults; neighbours called police."
    assert entry.about_child[-1] == ("In their own words", "I hid upstairs")
    # No risk grading, no kind-specific details, no reported time, no officer's name.
    assert entry.risk_level == ""
    assert entry.details == []
    assert entry.reported_at is None
    assert entry.recorded_by == ""
    school_share = story.incident.shares.get(recipient=cast.organisations["school"])
    assert [link.url for link in entry.links] == [f"/shares/{school_share.pk}/"]


def test_a_share_that_did_not_name_a_child_does_not_show_in_their_chronology(cast, story):
    """Noah joins the school after the incident; the school's notice named only Amelia."""
    noah = cast.people["Noah Hart"]
    event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=noah.pk, details={"school_urn": "900001"})],
            summary="Starting at Riverside",
            added_recipients=[cast.organisations["health"]],
        ),
    )
    school = actor_for_user(cast.users["school.dsl"])
    assert people_selectors.reason_to_see(school, noah.pk) == "attends school"
    assert story.incident.shares.filter(recipient=cast.organisations["school"]).exists()
    assert policy.may_see_event(school, story.incident)
    assert sharing_selectors.visible_events(school, about=noah.pk).count() == 0
    assert list(sharing_selectors.visible_events(school, about=cast.people["Amelia Hart"].pk)) != []
    chronology = open_as(cast, "school.dsl", person="Noah Hart")
    assert chronology.entries == []
    assert chronology.hidden == 1


def test_visible_events_agrees_with_may_see_event_for_case_workers(cast, story):
    for username in [
        "police.officer",
        "social.worker",
        "school.dsl",
        "health.practitioner",
        "bury.social.worker",
    ]:
        actor = actor_for_user(cast.users[username])
        visible = set(sharing_selectors.visible_events(actor).values_list("pk", flat=True))
        assert visible == {event.pk for event in Event.objects.all() if policy.may_see_event(actor, event)}


def test_filters_by_agency_and_type_and_offer_only_what_is_visible(cast, story):
    police = open_as(cast, "police.officer", agency="E06000004")
    assert [entry.event_id for entry in police.entries] == [story.missing.pk]
    assert police.hidden == 2  # the count ignores the filters, so filtering cannot probe what is hidden
    assert police.agencies == [("E23000013", "Cleveland Police"), ("E06000004", "Stockton-on-Tees")]
    assert police.kinds == [
        ("domestic-abuse", "Domestic abuse incident"),
        ("missing", "Missing child report"),
    ]
    council = open_as(cast, "social.worker", kind="referral")
    assert [entry.event_id for entry in council.entries] == [story.referral.pk]
    both = open_as(cast, "social.worker", agency="E06000004", kind="missing")
    assert [entry.event_id for entry in both.entries] == [story.missing.pk]
    assert open_as(cast, "social.worker", agency="E23000013", kind="referral").entries == []


def test_new_kinds_of_event_appear_from_their_label_and_details(cast):
    amelia = cast.people["Amelia Hart"]
    event_record(
        actor=actor_for_user(cast.users["team.manager"]),
        data=EventInput(
            kind=EventKind.STRATEGY_DISCUSSION,
            occurred_at=dt.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=amelia.pk)],
            summary="Section 47 enquiry to start",
            details={"police_attended": False, "attendees": ["social worker", "health"]},
            added_recipients=[cast.organisations["police"]],
        ),
    )
    entry = open_as(cast, "police.officer").entries[-1]
    assert entry.kind_label == "Strategy discussion"
    assert entry.details == [("Attendees", "social worker, health"), ("Police attended", "No")]
    assert kind_label("family-group-conference") == "Family group conference"
    assert detail_items({"outcome": {"decision": "s47", "agreed": True}, "note": None}) == [
        ("Note", "Not given"),
        ("Outcome", "Agreed: Yes; Decision: s47"),
    ]


def test_inspector_sees_the_whole_chronology_of_a_sampled_child_only(cast, story):
    leo = cast.people["Leo Marsh"]
    missing = event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=dt.datetime(2026, 11, 19, 18, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=leo.pk)],
            summary="Did not return to placement",
        ),
    ).event
    inspector = actor_for_user(cast.users["inspector"])
    assert people_selectors.reason_to_see(inspector, leo.pk) == "sampled for inspection"
    assert set(sharing_selectors.visible_events(inspector)) == {missing}
    chronology = open_as(cast, "inspector", person="Leo Marsh")
    assert [entry.event_id for entry in chronology.entries] == [missing.pk]
    assert chronology.entries[0].viewer_part == "inspection"
    assert chronology.entries[0].links == []
    assert chronology.hidden == 0
    assert sharing_selectors.visible_events(inspector, about=cast.people["Amelia Hart"].pk).count() == 0
    with pytest.raises(NotFound):
        open_as(cast, "inspector")


@pytest.mark.parametrize("username", ["bury.social.worker", "council.admin"])
def test_no_reason_to_see_the_child_is_not_found_and_leaves_no_trail(cast, story, username):
    before = AuditEntry.objects.count()
    with pytest.raises(NotFound):
        open_as(cast, username)
    assert AuditEntry.objects.count() == before
    assert sharing_selectors.visible_events(actor_for_user(cast.users["council.admin"])).count() == 0


def test_an_unknown_person_looks_like_one_not_allowed(cast):
    actor = actor_for_user(cast.users["social.worker"])
    for person_id in ["00000000-0000-0000-0000-000000000000", "not-a-uuid"]:
        with pytest.raises(NotFound):
            chronology_open(actor=actor, person_id=person_id, filters=ChronologyFilters())


def test_the_read_is_audited_with_the_reason(cast, story):
    open_as(cast, "police.officer", agency="E06000004")
    entry = AuditEntry.objects.order_by("sequence").last()
    assert entry.action == AuditAction.VIEW
    assert entry.object_type == "chronology"
    assert entry.person_id == cast.people["Amelia Hart"].pk
    assert entry.organisation_code == "E23000013"
    assert entry.reason.startswith("viewed chronology: ")
    assert entry.detail == {"agency": "E06000004", "format": "", "entries": 1, "hidden": 2}
