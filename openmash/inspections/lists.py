"""The child-level lists inspectors ask for (Ofsted's Annex A, domain.md section 5), read from what OpenMASH
records: list 5 (section 47 enquiries and initial child protection conferences), list 7 (children on a child
protection plan) and list 8 (children in care), as XLSX.

Each column says where its figure comes from in its header's comment (and on the workbook's "About these
columns" sheet; docs/inspection.md lists them too). Where Annex A asks for something OpenMASH does not record
(whether a child was seen alone, an emergency protection order), the column is there, empty, and its comment
says so: nothing is guessed. Plain reads, no actor and no audit: the views ask the policy and audit the download.
"""

import datetime as dt
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from openmash.casework.models import JointVisit
from openmash.events.models import EventKind, EventSubject, Source
from openmash.meetings.models import AbuseCategory, Meeting, MeetingKind
from openmash.missing.models import Category, InterviewResponse, MissingEpisode
from openmash.organisations.models import Organisation
from openmash.people.models import ChildStatus, ChildStatusKind, Person, PersonKind

# Annex A's lists of activity (list 5) cover the months before the inspection: the six months to the day the
# list is made. Lists 7 and 8 are of the children on a plan or in care on that day.
ACTIVITY_MONTHS = 6
# List 7: police protection or an emergency protection order "in the last six months" (Annex A).
PROTECTION_LOOKBACK = dt.timedelta(days=183)
# List 8: missing and absent episodes, and return interviews, "in the last 12 months" (Annex A).
EPISODES_LOOKBACK = dt.timedelta(days=365)


@dataclass(frozen=True)
class Column:
    title: str
    source: str  # where the figure comes from, in words: the header's comment and the "About" sheet


@dataclass
class InspectionList:
    number: int
    title: str
    covers: str  # which children, over what time, in words
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)
    children: list[uuid.UUID] = field(default_factory=list)  # whose rows, in order (for the audit entry)


CHILD_COLUMNS = [
    Column("OpenMASH id", "The child's record in OpenMASH (opening it needs a reason, as any record)."),
    Column("Name", "The child's given and family names as recorded."),
    Column("Date of birth", "As recorded; empty when not known."),
]


def _london_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _child_cells(person: Person) -> list[object]:
    return [str(person.pk), person.full_name, person.date_of_birth]


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    # Clamped to the month's last day (31 August less six months is 28 or 29 February).
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def list_5(*, council: Organisation, as_of: dt.datetime) -> InspectionList:
    """Section 47 enquiries and initial conferences: one row for each strategy discussion the council held in the
    six months to ``as_of`` that decided section 47 enquiries, with the initial conference it led to."""
    today = timezone.localdate(as_of)
    first_day = _months_before(today, ACTIVITY_MONTHS)
    columns = [
        *CHILD_COLUMNS,
        Column("Strategy discussion reference", "The strategy discussion's reference in OpenMASH."),
        Column(
            "Strategy discussion date", "The day the strategy discussion was held (its recorded outcome)."
        ),
        Column(
            "Section 47 enquiry start date",
            "The day section 47 enquiries started, recorded with the strategy discussion's decision.",
        ),
        Column(
            "Initial conference date",
            "The day the initial child protection conference that followed was held; empty if none has been"
            " held yet (a conference convened but not held shows its planned day in the next column).",
        ),
        Column(
            "Initial conference planned for", "The day the initial conference is set for, while not yet held."
        ),
        Column(
            "Plan outcome",
            "The initial conference's decision: 'Child protection plan' or 'No plan'; empty until it is held.",
        ),
    ]
    result = InspectionList(
        5,
        "Section 47 enquiries and initial child protection conferences",
        f"Strategy discussions held from {first_day:%-d %B %Y} to {today:%-d %B %Y} that started section 47"
        " enquiries",
        columns,
    )
    discussions = (
        Meeting.objects.filter(
            council=council,
            kind=MeetingKind.STRATEGY_DISCUSSION,
            s47_decision=True,
            held_at__gte=_start_of(first_day),
            held_at__lt=as_of,
        )
        .select_related("child")
        .order_by("held_at")
    )
    conferences: dict[uuid.UUID, Meeting] = {}
    for later in Meeting.objects.filter(
        strategy_discussion__in=discussions,
        kind__in=(MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE),
        cancelled_at__isnull=True,
    ).order_by("scheduled_for"):
        # The first conference the discussion led to that was not cancelled.
        conferences.setdefault(later.strategy_discussion_id, later)  # type: ignore[arg-type]
    for discussion in discussions:
        conference = conferences.get(discussion.pk)
        held = conference is not None and conference.held_at is not None
        outcome = ""
        if conference is not None and held and conference.plan is not None:
            outcome = "Child protection plan" if conference.plan else "No plan"
        result.rows.append(
            [
                *_child_cells(discussion.child),
                discussion.reference,
                _london_day(discussion.held_at),
                discussion.s47_started_on,
                _london_day(conference.held_at) if conference is not None and held else None,
                _london_day(conference.scheduled_for) if conference is not None and not held else None,
                outcome,
            ]
        )
        result.children.append(discussion.child_id)
    return result


def _current_status(council: Organisation, status: str, today: dt.date) -> list[ChildStatus]:
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    rows = (
        ChildStatus.objects.filter(current, council=council, status=status, start_date__lte=today)
        .filter(person__kind=PersonKind.CHILD, person__merged_into__isnull=True)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "start_date")
    )
    first: dict[uuid.UUID, ChildStatus] = {}
    for row in rows:
        first.setdefault(row.person_id, row)
    return list(first.values())


def list_7(*, council: Organisation, as_of: dt.datetime) -> InspectionList:
    """Child protection: one row for each child on a plan with the council on the day of ``as_of``."""
    today = timezone.localdate(as_of)
    columns = [
        *CHILD_COLUMNS,
        Column(
            "Plan start date",
            "The start of the child's current 'child protection plan' status with the council.",
        ),
        Column(
            "Categories of abuse",
            "The categories recorded by the latest conference that decided a plan (initial, pre-birth or review).",
        ),
        Column(
            "Last visit",
            "The latest visit to the child recorded in OpenMASH: a joint visit with the police, or a visit the"
            " council made without them (a lone visit). Statutory visits a social worker records only in the"
            " council's case system are not in OpenMASH, so this may be older than the child's real last visit.",
        ),
        Column(
            "Seen alone",
            "Not recorded by OpenMASH: whether the child was seen alone is kept in the council's case system."
            " Left empty.",
        ),
        Column("Latest review conference", "The day the child's latest review conference was held."),
        Column(
            "Police protection in the last six months",
            "Yes when a police protection notice about the child was recorded (by the police, in OpenMASH) in"
            " the six months to the list's day, with the latest day; else No.",
        ),
        Column(
            "Emergency protection order in the last six months",
            "Not recorded by OpenMASH: emergency protection orders are made by a court and kept in the council's"
            " case system. Left empty.",
        ),
    ]
    result = InspectionList(
        7,
        "Child protection",
        f"Children on a child protection plan with the council on {today:%-d %B %Y}",
        columns,
    )
    statuses = _current_status(council, ChildStatusKind.PROTECTION_PLAN, today)
    ids = [status.person_id for status in statuses]
    categories: dict[uuid.UUID, list[str]] = {}
    reviews: dict[uuid.UUID, dt.datetime] = {}
    for meeting in Meeting.objects.filter(
        council=council,
        child__in=ids,
        held_at__isnull=False,
        held_at__lt=as_of,
        kind__in=(
            MeetingKind.INITIAL_CONFERENCE,
            MeetingKind.PRE_BIRTH_CONFERENCE,
            MeetingKind.REVIEW_CONFERENCE,
        ),
    ).order_by("held_at"):
        if meeting.plan:
            categories[meeting.child_id] = [AbuseCategory(code).label for code in meeting.categories]
        if meeting.kind == MeetingKind.REVIEW_CONFERENCE:
            reviews[meeting.child_id] = meeting.held_at  # type: ignore[assignment]
    visits: dict[uuid.UUID, dt.datetime] = {}
    for visit in JointVisit.objects.filter(
        council=council, person__in=ids, visited_at__isnull=False, visited_at__lt=as_of
    ).order_by("visited_at"):
        visits[visit.person_id] = visit.visited_at  # type: ignore[assignment]
    protections: dict[uuid.UUID, dt.datetime] = {}
    for subject in (
        EventSubject.objects.filter(
            person__in=ids,
            event__kind=EventKind.POLICE_PROTECTION,
            event__occurred_at__gte=as_of - PROTECTION_LOOKBACK,
            event__occurred_at__lt=as_of,
        )
        .exclude(event__source=Source.HELD)
        .select_related("event")
        .order_by("event__occurred_at")
    ):
        protections[subject.person_id] = subject.event.occurred_at
    for status in statuses:
        child = status.person_id
        protected = protections.get(child)
        result.rows.append(
            [
                *_child_cells(status.person),
                status.start_date,
                ", ".join(categories.get(child, [])),
                _london_day(visits.get(child)),
                None,
                _london_day(reviews.get(child)),
                f"Yes, latest {_london_day(protected):%-d %B %Y}" if protected else "No",
                None,
            ]
        )
        result.children.append(child)
    return result


def list_8(*, council: Organisation, as_of: dt.datetime) -> InspectionList:
    """Children in care: one row for each child looked after by the council on the day of ``as_of``, with their
    missing and absent episodes and return interviews of the 12 months to then."""
    today = timezone.localdate(as_of)
    columns = [
        *CHILD_COLUMNS,
        Column(
            "Looked after since", "The start of the child's current 'looked after' status with the council."
        ),
        Column(
            "Missing episodes in the last 12 months",
            "Episodes recorded as missing (M) whose child was last seen in the 12 months to the list's day.",
        ),
        Column(
            "Absent episodes in the last 12 months",
            "Episodes recorded as away without authorisation (A, 'absent' in Annex A) in the same 12 months.",
        ),
        Column(
            "Return interviews offered",
            "Of those episodes, how many had a return home interview offered (by the return-interview service).",
        ),
        Column("Return interviews accepted", "Of those offers, how many the child accepted."),
    ]
    result = InspectionList(
        8, "Children in care", f"Children looked after by the council on {today:%-d %B %Y}", columns
    )
    statuses = _current_status(council, ChildStatusKind.LOOKED_AFTER, today)
    ids = [status.person_id for status in statuses]
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    episodes = (
        MissingEpisode.objects.filter(
            child__in=ids, last_seen_at__gte=as_of - EPISODES_LOOKBACK, last_seen_at__lt=as_of
        )
        .exclude(missing_report__source=Source.HELD)
        .select_related("return_interview")
    )
    for episode in episodes:
        tally = counts[episode.child_id]
        tally["missing" if episode.category == Category.MISSING else "absent"] += 1
        interview = getattr(episode, "return_interview", None)
        if interview is not None and interview.offered_at < as_of:
            tally["offered"] += 1
            tally["accepted"] += interview.response == InterviewResponse.ACCEPTED
    for status in statuses:
        tally = counts[status.person_id]
        result.rows.append(
            [
                *_child_cells(status.person),
                status.start_date,
                tally["missing"],
                tally["absent"],
                tally["offered"],
                tally["accepted"],
            ]
        )
        result.children.append(status.person_id)
    return result


LISTS = {5: list_5, 7: list_7, 8: list_8}
LIST_NAMES = {
    5: "Section 47 enquiries and initial child protection conferences",
    7: "Child protection",
    8: "Children in care",
}


def inspection_list_make(
    number: int, *, council: Organisation, as_of: dt.datetime | None = None
) -> InspectionList:
    return LISTS[number](council=council, as_of=as_of or timezone.now())


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is kept as text (a name cannot become a formula)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


def list_xlsx(listed: InspectionList, *, council: Organisation, made_at: dt.datetime) -> bytes:
    """The list as a workbook: one sheet of rows, each header with a comment saying where its column comes from,
    and a sheet saying the same in full, with which children the list covers."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"List {listed.number}"
    bold = Font(bold=True)
    for index, column in enumerate(listed.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = bold
        cell.comment = Comment(column.source, "OpenMASH", width=320, height=140)
    sheet.freeze_panes = "A2"
    for row in listed.rows:
        sheet.append([_cell(value) for value in row])
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "d mmmm yyyy"
    about = book.create_sheet("About these columns")
    about.append([f"Annex A list {listed.number}: {listed.title}"])
    about.append([f"{council.name}. {listed.covers}."])
    about.append([f"Made by OpenMASH on {timezone.localtime(made_at):%-d %B %Y at %H:%M} (London time)."])
    about.append([])
    about.append(["Column", "Where it comes from"])
    for column in listed.columns:
        about.append([column.title, column.source])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
