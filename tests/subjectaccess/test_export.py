"""Subject access (UK GDPR Art 15): everything held about a person, third parties and practitioners marked for
the data protection officer's review, the request kept as the reason and the export audited."""

import datetime as dt
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditAction, AuditEntry
from openmash.lib.errors import InvalidInput, NotFound
from openmash.missing.services import MissingReportInput, missing_report_record
from openmash.recording.services import PersonInput
from openmash.subjectaccess.collect import FREE_TEXT, OTHER_AGENCY, PRACTITIONER, THIRD_PARTY
from openmash.subjectaccess.models import SubjectAccessExport
from openmash.subjectaccess.render import html_document
from openmash.subjectaccess.services import due_on, subject_access_export
from openmash.vetting.services import VettingRequestInput, vetting_request_submit

RECEIVED = dt.date(2026, 11, 30)


def _export(user, person, reference="SAR-2026-017", received_on=RECEIVED):
    return subject_access_export(
        actor=actor_for_user(user), person_id=person.pk, reference=reference, received_on=received_on
    )


def _values(document):
    """(section, record title, label, text, review mark) of every value, records' parts included."""
    for section in document.sections:
        for record in section.records:
            for value in record.values:
                yield section.title, record.title, value.label, value.text, value.review
            for part in record.parts:
                for value in part.values:
                    yield section.title, part.title, value.label, value.text, value.review


def test_the_export_holds_what_is_held_about_the_person(dpo, story):
    document = _export(dpo, story.child).document
    values = list(_values(document))
    texts = {(label, text) for _s, _t, label, text, _m in values}
    assert ("Name", "Noah Fenwick") in texts
    assert ("Date of birth", "1 March 2023") in texts
    titles = {title for _s, title, *_rest in values}
    assert "Domestic abuse incident CLE-26-7001" in titles
    assert "Information share" in titles
    assert "Shared with Tees Community Health NHS Trust (demo)" in titles
    # Who read the record: the social worker's opening, from the audit trail.
    reads = [v for v in values if v[0] == "Who has read or changed the record"]
    assert any(label == "Who" and "Dev Patel" in text for _s, _t, label, text, _m in reads)


def test_third_parties_practitioners_free_text_and_other_agencies_are_marked(dpo, story):
    document = _export(dpo, story.child).document
    marks = {(label, text): mark for _s, _t, label, text, mark in _values(document)}
    # Tara, named in the same incident, is a third party; the officer who recorded it is a practitioner.
    assert marks[("Also named (adult)", "Tara Fenwick")] == THIRD_PARTY
    assert marks[("Recorded by (person)", "Priya Shah (police.officer)")] == PRACTITIONER
    assert marks[("What was recorded", "Shouting heard by neighbours.")] == FREE_TEXT
    # The person's own details carry no mark.
    assert marks[("Name", "Noah Fenwick")] == ""
    incident = next(r for s in document.sections for r in s.records if r.title.startswith("Domestic abuse"))
    assert incident.review == OTHER_AGENCY  # recorded by the police: consult them before release
    share = next(r for s in document.sections for r in s.records if r.title == "Information share")
    assert share.review == ""  # Stockton's own
    counts = document.review_counts()
    assert counts[THIRD_PARTY] >= 1 and counts[PRACTITIONER] >= 2


def test_the_readable_page_marks_each_value_for_review(dpo, story):
    page = html_document(_export(dpo, story.child).document)
    assert '<mark data-review="third-party">Tara Fenwick</mark>' in page
    assert "Third party: review, usually redact" in page
    assert "SAR-2026-017" in page and "30 November 2026" in page


def test_the_request_is_kept_and_the_export_audited(dpo, story):
    made = _export(dpo, story.child)
    row = SubjectAccessExport.objects.get(pk=made.request.pk)
    assert (row.reference, row.received_on, row.person_id) == ("SAR-2026-017", RECEIVED, story.child.pk)
    assert row.marked_for_review == sum(made.document.review_counts().values()) > 0
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="subject-access")
    assert entry.person_id == story.child.pk
    assert entry.reason == "subject access request SAR-2026-017"
    assert entry.actor_label == "Dana Protect (stockton.dpo)"
    assert entry.organisation_code == dpo.organisation.code


def test_no_reference_no_export(dpo, story):
    with pytest.raises(InvalidInput) as raised:
        _export(dpo, story.child, reference=" ", received_on=None)
    assert set(raised.value.errors) == {"reference", "received_on"}
    assert not SubjectAccessExport.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("username", ["social.worker", "council.admin", "police.officer", "team.manager"])
def test_only_a_data_protection_officer_answers(cast, story, username):
    with pytest.raises(NotFound):
        _export(cast.users[username], story.child)
    assert not SubjectAccessExport.objects.exists()


def test_another_councils_officer_finds_nothing(bury_dpo, story):
    with pytest.raises(NotFound):
        _export(bury_dpo, story.child)
    assert not SubjectAccessExport.objects.exists()


def test_due_one_calendar_month_from_receipt():
    assert due_on(dt.date(2026, 11, 30)) == dt.date(2026, 12, 30)
    assert due_on(dt.date(2027, 1, 31)) == dt.date(2027, 2, 28)
    assert due_on(dt.date(2026, 12, 15)) == dt.date(2027, 1, 15)


def test_the_command_writes_the_page_and_the_data(cast, story, tmp_path):
    out = tmp_path / "sar.zip"
    call_command(
        "subject_access",
        person=str(story.child.pk),
        council="Stockton-on-Tees",
        reference="SAR-CLI-1",
        received="2026-11-30",
        out=out,
        stderr=io.StringIO(),
    )
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        data = json.loads(archive.read("subject-access-SAR-CLI-1.json"))
        page = archive.read("subject-access-SAR-CLI-1.html").decode()
    assert names == ["subject-access-SAR-CLI-1.html", "subject-access-SAR-CLI-1.json"]
    assert data["request"]["reference"] == "SAR-CLI-1"
    assert data["marked_for_review"]["third-party"] >= 1
    assert "Noah Fenwick" in page
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="subject-access")
    assert entry.actor_label == "an operator's command"


def test_the_command_refuses_a_council_that_holds_nothing(cast, story, tmp_path):
    with pytest.raises(CommandError, match="holds no record"):
        call_command(
            "subject_access",
            person=str(story.child.pk),
            council="Bury",
            reference="SAR-1",
            out=tmp_path / "sar.json",
            stderr=io.StringIO(),
        )
    assert not (tmp_path / "sar.json").exists()


def test_missing_episodes_and_vetting_checks_are_in_the_export(cast, dpo, story):
    police = actor_for_user(cast.users["police.officer"])
    missing_report_record(
        actor=police,
        data=MissingReportInput(
            last_seen_at=dt.datetime(2026, 11, 25, 16, 0, tzinfo=ZoneInfo("Europe/London")),
            child=PersonInput(person_id=story.child.pk),
            last_seen_where="Stockton bus station",
            reference="CLE-MIS-77",
            postcode="TS18 1AA",
        ),
    )
    # A vetting check names a person by name and date of birth, not by record: Tara as a household member.
    vetting_request_submit(
        actor=actor_for_user(cast.users["social.worker"]),
        data=VettingRequestInput(
            given_name="Tara",
            family_name="Fenwick",
            date_of_birth=dt.date(1994, 7, 9),
            role="household-member",
            household="The Fenwick household",
        ),
    )
    child = {section.title: section for section in _export(dpo, story.child).document.sections}
    episodes = child["Missing episodes"].records
    assert [record.title for record in episodes] == ["Missing episode CLE-MIS-77"]
    assert any(value.text == "Stockton bus station" for value in episodes[0].values)
    assert child["Vetting checks"].records == []  # Noah was never vetted
    adult = {
        section.title: section for section in _export(dpo, story.adult, reference="SAR-2").document.sections
    }
    checks = adult["Vetting checks"].records
    assert len(checks) == 1 and "confirm it is this person" in checks[0].title
    assert any(v.label == "Household" and v.review == THIRD_PARTY for v in checks[0].values)
