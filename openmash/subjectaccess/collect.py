"""Everything OpenMASH holds about one person, gathered for a subject access request (UK GDPR Art 15), with
what the data protection officer must review before release marked on each value.

The document is plain data (sections of records of labelled values, every value in words), so the same thing
is written as a readable page (``render.html_document``) and as JSON. Each value carries a review mark:

- ``third-party``: another person's information (someone else named in the same event, a relative, an
  associate). Released only with their consent or where it is reasonable without it (DPA 2018 Sch 2 para 16);
  usually redacted.
- ``practitioner``: the name of someone who did the work (a social worker, an officer). Usually released:
  they acted in a professional role (DPA 2018 Sch 2 para 16, weighed case by case); withheld where naming them puts them at risk.
- ``free-text``: words a practitioner wrote (a summary, reasons, a child's own words) that may name others or
  hold what would cause serious harm if released (DPA 2018 Sch 3 Part 3, social work and health data).
- ``other-agency``: recorded by another agency (a joint controller for its own records): consult it before
  release (ICO: requests for information held jointly).

Nothing is removed here: the officer decides, and the marks make the decisions visible.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q

from openmash.audit.models import AuditEntry
from openmash.casework.models import Disagreement, InvestigationClosure, JointVisit
from openmash.events.models import Event, EventSubject, Source
from openmash.lib.govuk import govuk_date, govuk_datetime
from openmash.lib.names import search_key
from openmash.meetings.models import Meeting
from openmash.missing.models import MissingEpisode, SeenKind
from openmash.organisations.models import Organisation
from openmash.people.models import Person, PersonCorrection, Relationship
from openmash.philomena.models import PhilomenaProfile
from openmash.sharing.models import Share
from openmash.vetting.models import VettingRequest

THIRD_PARTY = "third-party"
PRACTITIONER = "practitioner"
FREE_TEXT = "free-text"
OTHER_AGENCY = "other-agency"

REVIEW_WORDS = {
    THIRD_PARTY: "Third party: review, usually redact",
    PRACTITIONER: "Practitioner's name: review",
    FREE_TEXT: "Free text: check for others and for serious harm",
    OTHER_AGENCY: "Recorded by another agency: consult it before release",
}


@dataclass
class Value:
    label: str
    text: str
    review: str = ""  # one of REVIEW_WORDS' keys, or "" for the person's own data


@dataclass
class Record:
    title: str
    values: list[Value] = field(default_factory=list)
    review: str = ""  # for the whole record (recorded by another agency)
    parts: list["Record"] = field(default_factory=list)

    def add(self, label: str, text: object, review: str = "") -> None:
        """Add a value in words; empty ones are left out (the document says what is held, not what is not)."""
        words = _words(text)
        if words:
            self.values.append(Value(label, words, review))


@dataclass
class Section:
    title: str
    records: list[Record] = field(default_factory=list)


@dataclass
class Document:
    person_id: str
    request: dict[str, str]
    sections: list[Section]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def review_counts(self) -> dict[str, int]:
        """How many values (and records) carry each review mark: the officer's list of decisions to make."""
        counts = dict.fromkeys(REVIEW_WORDS, 0)

        def count(record: Record) -> None:
            if record.review:
                counts[record.review] += 1
            for value in record.values:
                if value.review:
                    counts[value.review] += 1
            for part in record.parts:
                count(part)

        for section in self.sections:
            for record in section.records:
                count(record)
        return counts


def _words(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, dt.datetime):
        return govuk_datetime(value)
    if isinstance(value, dt.date):
        return govuk_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return "; ".join(_words(item) for item in value if _words(item))
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_words(item)}" for key, item in value.items() if _words(item))
    return str(value)


def _agency(organisation: Organisation | None, answering: Organisation) -> str:
    """Review mark for a record made by ``organisation``: another agency's needs consulting."""
    return OTHER_AGENCY if organisation is not None and organisation.pk != answering.pk else ""


def _person(person: Person) -> Section:
    details = Record("Details on record")
    details.add("Name", person.full_name)
    details.add("Kind of record", person.get_kind_display())
    details.add("Date of birth", person.date_of_birth)
    details.add("Expected date of birth", person.expected_date_of_birth)
    details.add("Sex", person.get_sex_display())
    details.add("Ethnicity", person.get_ethnicity_display())
    details.add("Record restricted", person.get_restriction_display() if person.restriction else "")
    details.add("First recorded by", person.recorded_by.name)
    details.add("First recorded", person.created_at)
    records = [details]
    for name in person.names.all():
        records.append(Record(name.get_kind_display(), [Value("Name", str(name))]))
    for identifier in person.identifiers.select_related("issuer"):
        record = Record(identifier.get_scheme_display(), [Value("Number", identifier.value)])
        record.add("Issued by", identifier.issuer.name if identifier.issuer else "")
        records.append(record)
    for address in person.addresses.select_related("council"):
        record = Record("Address", [Value("Address", str(address))])
        record.add("Council", address.council.name)
        record.add("From", address.start_date)
        record.add("Until", address.end_date)
        records.append(record)
    for status in person.statuses.select_related("council", "social_worker"):
        record = Record("Status with a council", [Value("Status", status.get_status_display())])
        record.add("Council", status.council.name)
        record.add("From", status.start_date)
        record.add("Until", status.end_date)
        if status.social_worker is not None:
            record.add("Social worker", status.social_worker.get_full_name(), PRACTITIONER)
        records.append(record)
    for enrolment in person.enrolments.select_related("school"):
        record = Record("School", [Value("School", enrolment.school.name)])
        record.add("From", enrolment.start_date)
        record.add("Until", enrolment.end_date)
        records.append(record)
    return Section("Person's details", records)


def _relationships(person: Person) -> Section:
    records = []
    rows = Relationship.objects.filter(Q(person=person) | Q(relative=person)).select_related(
        "person", "relative"
    )
    for row in rows:
        other = row.relative if row.person_id == person.pk else row.person
        record = Record("Relationship")
        record.add("Other person", other.full_name, THIRD_PARTY)
        # ``Relationship.person`` is the ``kind`` of ``relative`` (a mother, parent, of her child): said from
        # this person's side.
        if row.person_id == person.pk:
            record.add("What this person is to them", row.get_kind_display(), THIRD_PARTY)
        else:
            record.add("What they are to this person", row.get_kind_display(), THIRD_PARTY)
        records.append(record)
    return Section("Relationships", records)


def _corrections(person: Person) -> Section:
    records = []
    for row in PersonCorrection.objects.filter(person=person).select_related("corrected_by"):
        record = Record(f"{row.get_detail_display()} corrected")
        record.add("Was", row.old_value or "Not recorded")
        record.add("Now", row.new_value)
        record.add("Why", row.why, FREE_TEXT)
        record.add("Corrected", row.corrected_at)
        record.add("Corrected by", row.corrected_by.name)
        record.add("Practitioner", row.corrected_by_label, PRACTITIONER)
        records.append(record)
    return Section("Corrections to the details (history)", records)


def _share(share: Share, answering: Organisation) -> Record:
    record = Record(f"Shared with {share.recipient.name}")
    record.add("Why they received it", share.get_route_display())
    record.add("What they received", share.get_content_display())
    record.add("Shared", share.shared_at)
    record.add("Delivered", share.delivered_at)
    record.add("First read", share.first_read_at)
    record.add("First read by", share.first_read_by_label, PRACTITIONER)
    record.add("Acknowledged", share.acknowledged_at)
    record.add("Acknowledged by", share.acknowledged_by_label, PRACTITIONER)
    record.add("Decision", share.get_decision_display() if share.decision else "")
    record.add("Reasons for the decision", share.decision_reasons, FREE_TEXT)
    record.review = _agency(share.recipient, answering) if share.decision_reasons else ""
    return record


def _about_them(subject: EventSubject) -> list[Value]:
    """What the event says of the person themselves (present, what they saw, their own words)."""
    words = {
        "present": "Present",
        "saw_heard": "Saw or heard",
        "child_words": "Their own words",
        "harm_role": "Part in the incident",
        "relationship": "Relationship to the children",
        "home_educated": "Home educated",
    }
    values = []
    for key, label in words.items():
        text = _words(subject.details.get(key)) if isinstance(subject.details, dict) else ""
        if text:
            values.append(Value(label, text, FREE_TEXT if key in ("saw_heard", "child_words") else ""))
    return values


def _events(person: Person, answering: Organisation) -> Section:
    records = []
    subjects = (
        EventSubject.objects.filter(person=person)
        .exclude(event__source=Source.HELD)
        .select_related("event__recorded_by", "event__council")
        .order_by("event__occurred_at")
    )
    for subject in subjects:
        event: Event = subject.event
        record = Record(f"{event.get_kind_display()} {event.reference}".strip())
        record.review = _agency(event.recorded_by, answering)
        record.add("Recorded by", event.recorded_by.name)
        record.add("Recorded by (person)", event.recorded_by_label, PRACTITIONER)
        record.add("Happened", event.occurred_at)
        record.add("Reported", event.reported_at)
        record.add("Recorded", event.recorded_at)
        record.add("Where", ", ".join(part for part in (event.location, event.postcode) if part))
        record.add("Council area", event.council.name if event.council else "")
        record.add("Risk level", event.get_risk_level_display() if event.risk_level else "")
        record.add("Their part", subject.get_role_display())
        record.values.extend(_about_them(subject))
        record.add("What was recorded", event.summary, FREE_TEXT)
        others = EventSubject.objects.filter(event=event).exclude(person=person).select_related("person")
        for other in others:
            record.add(
                f"Also named ({other.get_role_display().lower()})", other.name_as_recorded, THIRD_PARTY
            )
        for share in event.shares.select_related("recipient").order_by("shared_at"):
            record.parts.append(_share(share, answering))
        records.append(record)
    return Section("Events about this person, and who they were shared with", records)


def _meetings(person: Person, answering: Organisation) -> Section:
    records = []
    for meeting in Meeting.objects.filter(child=person).select_related("council").order_by("scheduled_for"):
        record = Record(f"{meeting.get_kind_display()} {meeting.reference}")
        record.review = _agency(meeting.council, answering)
        record.add("Convened by", meeting.council.name)
        record.add("Convened by (person)", meeting.convened_by_label, PRACTITIONER)
        record.add("Date", meeting.scheduled_for)
        record.add("Purpose", meeting.purpose, FREE_TEXT)
        record.add("Held", meeting.held_at)
        record.add("Section 47 enquiries", meeting.s47_decision)
        record.add("Reasons", meeting.decision_reasons, FREE_TEXT)
        record.add("Child protection plan", meeting.plan)
        record.add("Categories", meeting.categories)
        record.add("Actions", meeting.actions, FREE_TEXT)
        record.add("Cancelled", meeting.cancelled_at)
        record.add("Why cancelled", meeting.cancellation_reason, FREE_TEXT)
        for invitation in meeting.invitations.select_related("organisation"):
            part = Record(f"Invited: {invitation.organisation.name}")
            part.add("Attendance", invitation.get_participation_display() if invitation.participation else "")
            part.add("Why not attended", invitation.non_attendance_reason, FREE_TEXT)
            report = getattr(invitation, "report", None)
            if report is not None:
                part.add("Agency report", report.text, FREE_TEXT)
                part.add("Report sent by", report.submitted_by_label, PRACTITIONER)
                part.review = _agency(invitation.organisation, answering)
            record.parts.append(part)
        records.append(record)
    return Section("Meetings", records)


def _missing(person: Person, answering: Organisation) -> Section:
    records = []
    episodes = (
        MissingEpisode.objects.filter(child=person).select_related("reported_by").order_by("last_seen_at")
    )
    for episode in episodes:
        record = Record(f"{episode.get_category_display()} episode {episode.reference}".strip())
        record.review = _agency(episode.reported_by, answering)
        record.add("Reported by", episode.reported_by.name)
        record.add("Last seen", episode.last_seen_at)
        record.add("Last seen where", episode.last_seen_where)
        record.add("Risk", episode.get_risk_display())
        record.add("Found", episode.found_at)
        record.add("Found where", episode.found_where)
        record.add("Found by", episode.found_by, PRACTITIONER)
        record.add("Safe and well check", episode.safe_and_well_at)
        record.add("Safe and well check by", episode.safe_and_well_by, PRACTITIONER)
        record.add("Safe and well notes", episode.safe_and_well_notes, FREE_TEXT)
        for grading in episode.gradings.select_related("organisation"):
            part = Record(f"Risk graded {grading.get_risk_display().lower()}")
            part.add("When", grading.graded_at)
            part.add("By", grading.graded_by_label, PRACTITIONER)
            part.add("Why", grading.reason, FREE_TEXT)
            record.parts.append(part)
        for update in episode.updates.select_related("organisation"):
            part = Record(f"Update from {update.organisation.name}")
            part.add("When", update.at)
            part.add("By", update.by_label, PRACTITIONER)
            part.add("What", update.text, FREE_TEXT)
            record.parts.append(part)
        for seen in episode.seen_with.all():
            part = Record("Seen with or at")
            # A place is about where the child went; a person they were with is a third party.
            part.add(
                seen.get_kind_display(), seen.name, THIRD_PARTY if seen.kind == SeenKind.ASSOCIATE else ""
            )
            record.parts.append(part)
        interview = getattr(episode, "return_interview", None)
        if interview is not None:
            part = Record("Return home interview")
            part.add("Offered", interview.offered_at)
            part.add("Answer", interview.get_response_display())
            part.add("Held", interview.held_at)
            part.add("Interviewer", interview.interviewer_label, PRACTITIONER)
            part.add("Why they went", interview.why_went, FREE_TEXT)
            part.add("Where they went", interview.where_went, FREE_TEXT)
            part.add("Who with", interview.with_whom, THIRD_PARTY)
            part.add("Their wishes", interview.child_wishes, FREE_TEXT)
            record.parts.append(part)
        records.append(record)
    return Section("Missing episodes", records)


def _casework(person: Person, answering: Organisation) -> Section:
    records = []
    for visit in JointVisit.objects.filter(person=person).select_related("council", "police_force"):
        record = Record("Joint visit with the police")
        record.review = _agency(visit.council, answering)
        record.add("Council", visit.council.name)
        record.add("Police force", visit.police_force.name)
        record.add("Planned for", visit.planned_for)
        record.add("Purpose", visit.purpose, FREE_TEXT)
        record.add("Status", visit.get_status_display())
        record.add("Requested by", visit.requested_by_label, PRACTITIONER)
        record.add("Officer", visit.officer_name, PRACTITIONER)
        records.append(record)
    for closure in InvestigationClosure.objects.filter(person=person).select_related("police_force"):
        record = Record(f"Police investigation closure {closure.police_reference}")
        record.review = _agency(closure.police_force, answering)
        record.add("Police force", closure.police_force.name)
        record.add("Reasons", closure.reasons, FREE_TEXT)
        record.add("Status", closure.get_status_display())
        record.add("Proposed", closure.proposed_at)
        record.add("Proposed by", closure.proposed_by_label, PRACTITIONER)
        record.add("Council's answer", closure.response_reasons, FREE_TEXT)
        records.append(record)
    for disagreement in Disagreement.objects.filter(person=person).select_related("raised_by", "raised_with"):
        record = Record(
            f"Professional disagreement: {disagreement.raised_by.name} and {disagreement.raised_with.name}"
        )
        record.review = _agency(disagreement.raised_by, answering)
        record.add("About", disagreement.about, FREE_TEXT)
        record.add("Raised", disagreement.raised_at)
        record.add("Raised by", disagreement.raised_by_label, PRACTITIONER)
        record.add("Status", disagreement.get_status_display())
        records.append(record)
    return Section("Joint work between agencies", records)


def _vetting(person: Person, answering: Organisation) -> Section:
    """Vetting requests name a person by name and date of birth, not by record: those that match are listed,
    for the officer to confirm they are this person's."""
    records: list[Record] = []
    if person.date_of_birth is None:
        return Section("Vetting checks", records)
    wanted = search_key(person.given_name, person.family_name)
    for request in VettingRequest.objects.filter(date_of_birth=person.date_of_birth).select_related(
        "council", "force"
    ):
        if search_key(request.given_name, request.family_name) != wanted:
            continue
        record = Record("Vetting check (matched by name and date of birth: confirm it is this person)")
        record.review = _agency(request.council, answering)
        record.add("Asked by", request.council.name)
        record.add("Police force checking", request.force.name)
        record.add("Role", request.get_role_display())
        record.add("Household", request.household, THIRD_PARTY)
        record.add("Asked", request.submitted_at)
        record.add("Outcome", request.get_outcome_display() if request.outcome else "Not yet")
        record.add("Asked by (person)", request.requested_by_label, PRACTITIONER)
        records.append(record)
    return Section("Vetting checks", records)


def _philomena(person: Person, answering: Organisation) -> Section:
    profile = PhilomenaProfile.objects.filter(child=person).select_related("council").first()
    if profile is None:
        return Section("Philomena profile", [])
    record = Record("Philomena profile (kept in case they go missing)")
    record.review = _agency(profile.council, answering)
    record.add("Kept by", profile.council.name)
    record.add("Description", profile.description)
    record.add("Associates", profile.associates, THIRD_PARTY)
    record.add("Places", profile.places)
    record.add("Phone numbers", profile.phone_numbers, THIRD_PARTY)
    record.add("Health needs", profile.health_needs)
    record.add("Medication", profile.medication)
    record.add("Photo held", bool(profile.photo))
    record.add("Last changed", profile.updated_at)
    record.add("Last changed by", profile.updated_by_label, PRACTITIONER)
    return Section("Philomena profile", [record])


def _reads(person: Person) -> Section:
    """Who read or changed the record, when and why: the audit trail's entries about this person."""
    entries = list(AuditEntry.objects.filter(person_id=person.pk).order_by("sequence"))
    names = dict(
        Organisation.objects.filter(code__in={entry.organisation_code for entry in entries}).values_list(
            "code", "name"
        )
    )
    records = []
    for entry in entries:
        record = Record(f"{entry.get_action_display()}: {entry.object_type.replace('-', ' ')}")
        record.add("When", entry.at)
        record.add("Organisation", names.get(entry.organisation_code, entry.organisation_code))
        record.add("Who", entry.actor_label, PRACTITIONER)
        record.add("Reason given", entry.reason)
        records.append(record)
    return Section("Who has read or changed the record", records)


def subject_access_document(
    person_id: uuid.UUID, answering: Organisation, request: dict[str, str]
) -> Document:
    """Everything held about the person, sections in the order a reader expects (who they are, then what
    happened, then who looked). ``answering`` is the council answering: other agencies' records are marked
    for consulting them."""
    person = Person.objects.select_related("recorded_by").get(pk=person_id)
    sections: Iterable[Section] = (
        _person(person),
        _relationships(person),
        _corrections(person),
        _events(person, answering),
        _meetings(person, answering),
        _missing(person, answering),
        _casework(person, answering),
        _vetting(person, answering),
        _philomena(person, answering),
        _reads(person),
    )
    return Document(person_id=str(person.pk), request=request, sections=list(sections))
