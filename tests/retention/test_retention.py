"""Retention: rules with known dates (due, not yet due, held), what a run removes and keeps, its audit entries,
and a dry run that changes nothing. On both databases."""

import datetime as dt
import uuid
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.audit.models import AuditAction, AuditEntry
from openmash.audit.services import audit_verify
from openmash.events.models import Event, EventSubject, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.matching.models import MatchKey, MatchProfile
from openmash.people.models import (
    Address,
    ChildStatus,
    ChildStatusKind,
    Person,
    PersonIdentifier,
    PersonName,
)
from openmash.people.planner import AddressInput, IdentifierInput
from openmash.people.services import child_status_record, person_create
from openmash.philomena.models import PhilomenaProfile
from openmash.philomena.services import ProfileInput, profile_save
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import PersonInput, event_record
from openmash.retention.models import Removal
from openmash.retention.rules import (
    CHILD_PROTECTION,
    DOMESTIC_ABUSE_NFA,
    LOOKED_AFTER,
    MULTI_AGENCY_RECORD,
    PERSON_DETAILS,
    rules,
    years_later,
)
from openmash.retention.services import (
    legal_hold_lift,
    legal_hold_place,
    retention_plan,
    retention_run,
    retention_setting_set,
)
from openmash.sharing.models import Decision, Share
from tests.philomena.conftest import png_bytes
from tests.sharing.conftest import incident_at_amelias_home

OPERATOR = system_actor()


# The rules and their arithmetic


def test_every_rule_has_a_figure_a_source_and_an_address():
    found = rules()
    assert set(found) >= {
        LOOKED_AFTER,
        CHILD_PROTECTION,
        DOMESTIC_ABUSE_NFA,
        MULTI_AGENCY_RECORD,
        PERSON_DETAILS,
    }
    for rule in found.values():
        assert rule.birthday or rule.years_after
        assert len(rule.source) > 80 and rule.url.startswith("https://")
    assert found[LOOKED_AFTER].birthday == 75 and found[LOOKED_AFTER].statutory
    assert "SI 2010/959" in found[LOOKED_AFTER].source and "regulation 50" in found[LOOKED_AFTER].source


def test_a_record_is_kept_until_the_later_of_its_birthday_and_its_years_after():
    rule = rules()[CHILD_PROTECTION]  # 25th birthday, 6 years after the plan ends
    born = dt.date(2010, 5, 1)
    assert rule.keep_until(date_of_birth=born, record_date=dt.date(2020, 1, 1)) == dt.date(2035, 5, 1)
    assert rule.keep_until(date_of_birth=born, record_date=dt.date(2031, 1, 1)) == dt.date(2037, 1, 1)
    assert rule.keep_until(date_of_birth=born, record_date=None) is None, "a plan still open"
    assert rule.keep_until(date_of_birth=None, record_date=dt.date(2020, 1, 1)) is None
    assert rule.keep_until(date_of_birth=None, record_date=dt.date(2020, 1, 1), child=False) == dt.date(
        2026, 1, 1
    )
    assert years_later(dt.date(2008, 2, 29), 25) == dt.date(2033, 3, 1)
    assert years_later(dt.date(2008, 2, 29), 24) == dt.date(2032, 2, 29)


# Hand-made records with known dates


@pytest.fixture
def officer(cast):
    return actor_for_user(cast.users["police.officer"])


@pytest.fixture
def practitioner(cast):
    return actor_for_user(cast.users["mash.practitioner"])


def _no_further_action(cast, officer, practitioner, reference="CLE-26-R001") -> Event:
    """A domestic abuse notification (20 November 2026) the council decided needed no further action."""
    recorded = event_record(actor=officer, data=incident_at_amelias_home(cast, reference=reference))
    event = recorded.event
    council = cast.organisations["council"]
    share = Share.objects.get(event=event, recipient=council)
    share_acknowledge(
        actor=practitioner,
        share=share,
        decision=Decision.NO_FURTHER_ACTION,
        reasons="Parents separated; safe",
    )
    return event


def _child(cast, *, born: dt.date, name: str = "Rory", by: str = "social.worker", nhs: str = "") -> Person:
    council = cast.organisations["council"]
    return person_create(
        actor=actor_for_user(cast.users[by]),
        given_name=name,
        family_name="Quill",
        date_of_birth=born,
        identifiers_given=[IdentifierInput(scheme="nhs", value=nhs)] if nhs else [],
        address=AddressInput(line_1="4 Larch Close", postcode="TS18 1AA", council=council),
    )


def _event_entries(event_id) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="event", object_id=str(event_id), action=AuditAction.DELETE)
    )


def test_a_no_further_action_notification_goes_6_years_after_the_incident(cast, officer, practitioner):
    event = _no_further_action(cast, officer, practitioner)
    on_the_day = dt.date(2032, 11, 20)  # the incident was on 20 November 2026
    assert event.pk not in {due.id for due in retention_plan(today=on_the_day - dt.timedelta(days=1)).events}
    (due,) = [due for due in retention_plan(today=on_the_day).events if due.id == event.pk]
    assert (due.rule, due.due_on) == (DOMESTIC_ABUSE_NFA, on_the_day)

    report = retention_run(actor=OPERATOR, today=on_the_day)

    assert event.pk in {due.id for due in report.events_removed}
    emptied = Event.objects.get(pk=event.pk)
    assert (emptied.summary, emptied.location, emptied.postcode, emptied.details) == ("", "", "", {})
    assert all(subject.details == {} for subject in EventSubject.objects.filter(event=event))
    shares = Share.objects.filter(event=event)
    assert shares.exists() and all(share.delivered_at or share.shared_at for share in shares), "times kept"
    assert not any(share.decision_reasons for share in shares)
    assert Removal.objects.get(event=event).rule == DOMESTIC_ABUSE_NFA
    (entry,) = _event_entries(event.pk)
    assert entry.detail["rule"] == DOMESTIC_ABUSE_NFA and entry.reason.startswith("Retention: ")
    # Amelia, 10 in 2026, is not 25 until 2041: her own record stays.
    assert Person.objects.get(pk=cast.people["Amelia Hart"].pk).given_name == "Amelia"
    assert audit_verify().ok
    again = retention_run(actor=OPERATOR, today=on_the_day)
    assert event.pk not in {due.id for due in again.events_removed}, "removed once"


def test_an_areas_own_figure_replaces_the_default(cast, officer, practitioner):
    event = _no_further_action(cast, officer, practitioner)
    retention_setting_set(
        actor=OPERATOR,
        organisation=cast.organisations["council"],
        rule=DOMESTIC_ABUSE_NFA,
        birthday=None,
        years_after=2,
        reason="Decided by the safeguarding partnership, 1 March 2026",
    )
    assert event.pk in {due.id for due in retention_plan(today=dt.date(2028, 11, 20)).events}
    assert AuditEntry.objects.filter(object_type="retention-setting").exists()


def test_a_statutory_figure_cannot_be_lowered(cast):
    with pytest.raises(InvalidInput) as error:
        retention_setting_set(
            actor=OPERATOR,
            organisation=cast.organisations["council"],
            rule=LOOKED_AFTER,
            birthday=30,
            years_after=None,
            reason="Shorter",
        )
    assert "at least until the 75th birthday by law" in str(error.value)


def test_a_persons_details_go_once_every_record_about_them_has_passed_its_date(cast, officer):
    rory = _child(cast, born=dt.date(2000, 3, 1), by="police.officer", nhs="9434765919")
    amelia = incident_at_amelias_home(cast).people[0]
    rory_there = PersonInput(role=SubjectRole.CHILD, person_id=rory.pk, details={"child_words": "Mum cried"})
    event_record(
        actor=officer,
        data=incident_at_amelias_home(cast, reference="CLE-26-R002", people=[amelia, rory_there]),
    )
    # 25th birthday 1 March 2025; the incident (20 November 2026) plus 6 years: 20 November 2032.
    day = dt.date(2032, 11, 20)
    assert rory.pk not in {due.id for due in retention_plan(today=day - dt.timedelta(days=1)).people}
    (due,) = [due for due in retention_plan(today=day).people if due.id == rory.pk]
    assert (due.rule, due.due_on) == (MULTI_AGENCY_RECORD, day)

    retention_run(actor=OPERATOR, today=day)

    gone = Person.objects.get(pk=rory.pk)
    assert (gone.given_name, gone.family_name, gone.date_of_birth) == ("", "", None)
    for model in (PersonName, PersonIdentifier, Address):
        assert not model.objects.filter(person_id=rory.pk).exists()
    assert not MatchProfile.objects.filter(person_id=rory.pk).exists()
    assert not MatchKey.objects.filter(person_id=rory.pk).exists()
    assert EventSubject.objects.get(person=rory).details == {}
    entry = AuditEntry.objects.get(object_type="person", person_id=rory.pk, action=AuditAction.DELETE)
    assert entry.detail["removed"]["names"] >= 1 and entry.detail["removed"]["identifiers"] == 1
    assert "Rory" not in str(entry.detail) and "9434765919" not in str(entry.detail)
    # Amelia is still named in the event, so its content stays with her record.
    event = Event.objects.get(reference="CLE-26-R002")
    assert event.summary and not Removal.objects.filter(event=event).exists()
    assert audit_verify().ok


def test_a_looked_after_childs_record_is_kept_until_the_75th_birthday(cast):
    council = cast.organisations["council"]
    ella = _child(cast, born=dt.date(2000, 6, 1), name="Ella")
    status = child_status_record(
        actor=actor_for_user(cast.users["social.worker"]),
        person=ella,
        council=council,
        status=ChildStatusKind.LOOKED_AFTER,
        start_date=dt.date(2010, 1, 1),
    )
    ChildStatus.objects.filter(pk=status.pk).update(end_date=dt.date(2018, 6, 1))  # left care at 18
    assert ella.pk not in {due.id for due in retention_plan(today=dt.date(2075, 5, 31)).people}
    (due,) = [due for due in retention_plan(today=dt.date(2075, 6, 1)).people if due.id == ella.pk]
    assert due.rule == LOOKED_AFTER


def test_a_child_protection_plan_still_open_keeps_the_record(cast):
    council = cast.organisations["council"]
    sam = _child(cast, born=dt.date(1990, 1, 1), name="Sam")
    child_status_record(
        actor=actor_for_user(cast.users["social.worker"]),
        person=sam,
        council=council,
        status=ChildStatusKind.PROTECTION_PLAN,
        start_date=dt.date(2005, 1, 1),
    )
    plan = retention_plan(today=dt.date(2090, 1, 1))
    assert sam.pk not in {due.id for due in plan.people}
    assert sam.pk in {due.id for due in plan.undetermined}


def test_a_legal_hold_keeps_what_is_due_until_it_is_lifted(cast, officer, practitioner):
    event = _no_further_action(cast, officer, practitioner)
    noah = _child(cast, born=dt.date(1990, 1, 1), name="Noah")  # nothing about him: 6 years after recorded
    day = dt.date(2033, 1, 1)
    hold = legal_hold_place(actor=OPERATOR, person_id=noah.pk, reason="Civil claim against the council")
    event_hold = legal_hold_place(actor=OPERATOR, event_id=event.pk, reason="Domestic homicide review")

    report = retention_run(actor=OPERATOR, today=day)

    held = {due.id: due.held for due in report.plan.held}
    assert held[noah.pk] == "Civil claim against the council"
    assert held[event.pk] == "Domestic homicide review"
    assert Person.objects.get(pk=noah.pk).given_name == "Noah"
    assert Event.objects.get(pk=event.pk).summary
    legal_hold_lift(actor=OPERATOR, hold_id=hold.pk)
    legal_hold_lift(actor=OPERATOR, hold_id=event_hold.pk)
    after = retention_run(actor=OPERATOR, today=day)
    assert noah.pk in {due.id for due in after.people_removed}
    assert event.pk in {due.id for due in after.events_removed}
    assert AuditEntry.objects.filter(object_type="legal-hold").count() == 4


def test_a_legal_hold_needs_a_reason_and_one_record(cast):
    with pytest.raises(InvalidInput) as error:
        legal_hold_place(actor=OPERATOR, reason=" ", person_id=uuid.uuid4())
    assert error.value.errors == {
        "reason": ["Enter why the records must be kept"],
        "person": ["There is no person with that ID"],
    }


def test_a_dry_run_changes_nothing(cast, officer, practitioner):
    event = _no_further_action(cast, officer, practitioner)
    noah = _child(cast, born=dt.date(1990, 1, 1), name="Noah")
    before = (AuditEntry.objects.count(), PersonName.objects.count(), Removal.objects.count())

    report = retention_run(actor=OPERATOR, dry_run=True, today=dt.date(2033, 1, 1))

    assert {event.pk, noah.pk} <= {due.id for due in [*report.plan.events, *report.plan.people]}
    assert report.events_removed == report.people_removed == []
    assert (AuditEntry.objects.count(), PersonName.objects.count(), Removal.objects.count()) == before
    assert Event.objects.get(pk=event.pk).summary and Person.objects.get(pk=noah.pk).given_name == "Noah"


def test_the_command_reports_what_went_and_what_a_hold_kept(cast, officer, practitioner, capsys):
    noah = _child(cast, born=dt.date(1990, 1, 1), name="Noah")
    kept = _child(cast, born=dt.date(1990, 1, 1), name="Kit")
    call_command("retention", "hold", "--person", str(kept.pk), "--reason", "Subject access request open")
    with time_machine.travel(dt.datetime(2033, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        call_command("retention", "run", "--dry-run")
        dry = capsys.readouterr().out
        call_command("retention", "run")
        done = capsys.readouterr().out
    assert "nothing changed" in dry and f"person {noah.pk}" in dry
    assert Person.objects.get(pk=noah.pk).given_name == ""
    removed, held = done.split("Kept on legal hold")
    assert f"person {noah.pk}: A person's details with no record about them, due " in removed
    assert f"person {kept.pk}" in held and "Subject access request open" in held
    assert "Noah" not in done


def test_the_command_lists_the_rules_and_refuses_bad_figures(cast, capsys):
    call_command("retention", "rules")
    listed = capsys.readouterr().out
    assert "Case record of a looked-after child (statutory): kept until the 75th birthday." in listed
    with pytest.raises(CommandError, match="Enter a birthday or a number of years"):
        call_command(
            "retention",
            "set",
            "--organisation",
            cast.organisations["council"].code,
            "--rule",
            CHILD_PROTECTION,
            "--reason",
            "x",
        )


def test_a_looked_after_childs_philomena_profile_and_photo_go_with_their_details(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    leo = cast.people["Leo Marsh"]
    keeper = actor_for_user(cast.users["social.worker"])
    profile = profile_save(
        actor=keeper, child=leo, data=ProfileInput(description="Scar above left eyebrow"), photo=png_bytes()
    )
    photo = Path(profile.photo.path)
    assert photo.exists()
    (due,) = [due for due in retention_plan(today=dt.date(2200, 1, 1)).people if due.id == leo.pk]
    assert due.rule == LOOKED_AFTER and due.due_on == years_later(leo.date_of_birth, 75)
    retention_run(actor=OPERATOR, today=due.due_on)
    assert not PhilomenaProfile.objects.filter(child=leo).exists()
    assert not photo.exists()
    entry = AuditEntry.objects.get(object_type="person", person_id=leo.pk, action=AuditAction.DELETE)
    assert entry.detail["removed"]["philomena_profile"] == 1
