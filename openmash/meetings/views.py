"""Meeting pages: a child's meetings, scheduling, the meeting page with reports and outcome, the Meetings list,
and the count of agencies that did not attend. Thin: the selectors and services decide."""

import uuid
from collections.abc import Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openmash.access import policy
from openmash.access.requests import case_worker
from openmash.accounts.actors import Actor, actor_for_request
from openmash.clocks.models import WorkType
from openmash.clocks.selectors import current_allocation, rule_titles
from openmash.clocks.views import Work, allocation_page
from openmash.events.forms import combine
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput
from openmash.lib.govuk import govuk_datetime
from openmash.meetings import changes, selectors, services
from openmash.meetings import forms as meeting_forms
from openmash.meetings.models import CONFERENCE_KINDS, EvidentialInterview, Meeting, MeetingKind
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Person
from openmash.people.selectors import person_open, reason_to_see
from openmash.ui.forms import add_service_errors, error_summary_items

SCHEDULE_TITLES = {
    MeetingKind.STRATEGY_DISCUSSION: "Convene a strategy discussion",
    MeetingKind.INITIAL_CONFERENCE: "Schedule an initial child protection conference",
    MeetingKind.REVIEW_CONFERENCE: "Schedule a review child protection conference",
    MeetingKind.PRE_BIRTH_CONFERENCE: "Schedule a pre-birth child protection conference",
}


def _is_council(actor: Actor) -> bool:
    return actor.organisation is not None and actor.organisation.kind == OrganisationKind.COUNCIL


def _child(actor: Actor, person_id: uuid.UUID) -> Person:
    return person_open(actor=actor, person_id=person_id).person


def _open(actor: Actor, meeting_id: str) -> selectors.OpenedMeeting:
    return selectors.meeting_open(actor=actor, meeting_id=meeting_id)


def _form_page(request: HttpRequest, form, *, title: str, caption: str, button: str) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "button": button,
        "errors": error_summary_items(form) if form.is_bound else [],
    }
    return render(request, "meetings/form.html", context)


def meetings_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    upcoming, recent = selectors.meetings_list(actor=actor)
    return render(request, "meetings/list.html", {"upcoming": upcoming, "recent": recent})


def child_meetings(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    child = _child(actor, person_id)
    meetings = selectors.visible_meetings(actor).filter(child=child).order_by("-scheduled_for")
    kinds: list[tuple[str, str]] = []
    if _is_council(actor):
        if child.kind == "unborn":
            wanted = [MeetingKind.STRATEGY_DISCUSSION, MeetingKind.PRE_BIRTH_CONFERENCE]
        else:
            wanted = [MeetingKind.STRATEGY_DISCUSSION]
            if selectors.strategy_discussions_with_s47(actor=actor, child=child):
                wanted.append(MeetingKind.INITIAL_CONFERENCE)
            if selectors.conferences_with_plan(actor=actor, child=child):
                wanted.append(MeetingKind.REVIEW_CONFERENCE)
        kinds = [(kind, SCHEDULE_TITLES[kind]) for kind in wanted]
    context = {
        "child": child,
        "meetings": meetings,
        "kinds": kinds,
        "may_record_birth": child.kind == "unborn"
        and policy.may_record_birth(actor, reason_to_see(actor, child.pk)),
    }
    return render(request, "meetings/child.html", context)


def schedule(request: HttpRequest, person_id: uuid.UUID, kind: str) -> HttpResponse:
    actor = case_worker(request)
    if kind not in SCHEDULE_TITLES or not _is_council(actor):
        raise Http404("No such page")
    child = _child(actor, person_id)
    invitable = selectors.invitable_organisations(actor=actor, child=child)
    earlier = (
        selectors.conferences_with_plan(actor=actor, child=child)
        if kind == MeetingKind.REVIEW_CONFERENCE
        else selectors.strategy_discussions_with_s47(actor=actor, child=child)
    )
    form = meeting_forms.ScheduleForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        always=invitable.always,
        chosen_from=invitable.chosen_from,
        earlier=earlier,
        initial={"invited": [str(pk) for pk in invitable.suggested]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {str(meeting.pk): meeting for meeting in earlier}
        arguments = {
            "actor": actor,
            "child": child,
            "scheduled_for": combine(data["scheduled_date"], data["scheduled_time"]),
            "invited": list(Organisation.objects.filter(pk__in=data["invited"])),
            "location": data["location"],
            "purpose": data["purpose"],
        }
        try:
            if kind == MeetingKind.STRATEGY_DISCUSSION:
                meeting = services.strategy_discussion_convene(**arguments)
            else:
                meeting = services.conference_schedule(
                    **arguments,
                    kind=kind,
                    strategy_discussion=by_id.get(data.get("strategy_discussion") or ""),
                    previous=by_id.get(data.get("previous") or ""),
                )
        except InvalidInput as error:
            add_service_errors(form, error, {"scheduled_for": "scheduled_date"})
        else:
            messages.success(
                request, f"{meeting.get_kind_display()} {meeting.reference} arranged: invitations sent"
            )
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return _form_page(
        request,
        form,
        title=SCHEDULE_TITLES[MeetingKind(kind)],
        caption=child.full_name or "Unborn child",
        button="Send invitations",
    )


def detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = case_worker(request)
    opened = _open(actor, meeting_id)
    invitation = opened.invitation
    may_report = invitation is not None and not hasattr(invitation, "report")
    form = meeting_forms.ReportForm(request.POST if request.method == "POST" and may_report else None)
    if form.is_bound and form.is_valid():
        try:
            services.agency_report_submit(actor=actor, meeting=opened.meeting, text=form.cleaned_data["text"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Report sent to the council")
            return redirect("meetings:detail", meeting_id=opened.meeting.pk)
    context = {
        "opened": opened,
        "meeting": opened.meeting,
        "may_report": may_report,
        "form": form,
        "errors": error_summary_items(form) if form.is_bound else [],
        "now": timezone.now(),
        "interview": EvidentialInterview.objects.filter(strategy_discussion=opened.meeting).first(),
        "deadline": selectors.meeting_deadline(opened.meeting) if opened.is_council else None,
        "may_change": opened.is_council
        and opened.meeting.is_open
        and policy.may_change_meeting(actor, opened.meeting.council_id),
        "clock_titles": rule_titles(actor),
        "allocation": current_allocation(WorkType.MEETING, opened.meeting.pk),
        "may_allocate": policy.may_allocate(actor, opened.meeting.council_id),
    }
    return render(request, "meetings/meeting.html", context)


def allocate(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """A council team manager allocates a strategy discussion or conference to a worker; its clocks follow."""
    actor = case_worker(request)
    meeting = _open(actor, meeting_id).meeting
    if not policy.may_allocate(actor, meeting.council_id):
        raise Http404("Not available")
    work = Work(
        organisation=meeting.council,
        work_type=WorkType.MEETING,
        work_id=str(meeting.pk),
        title=f"{meeting.get_kind_display()} {meeting.reference}",
        back_url=reverse("meetings:detail", args=[meeting.pk]),
        person_ids=(meeting.child_id,),
    )
    return allocation_page(request, actor, work)


def _outcome_form(meeting: Meeting, data, show_delay: bool) -> meeting_forms.HeldForm:
    organisations = [invitation.organisation for invitation in meeting.invitations.all()]
    form_class = (
        meeting_forms.StrategyDiscussionOutcomeForm
        if meeting.kind == MeetingKind.STRATEGY_DISCUSSION
        else meeting_forms.ConferenceOutcomeForm
        if meeting.kind in CONFERENCE_KINDS
        else meeting_forms.HeldForm
    )
    return form_class(data, organisations=organisations, show_delay=show_delay)


def _overdue(opened: selectors.OpenedMeeting, rules: Sequence[str]) -> bool:
    """Whether a clock this meeting answers has already run out (so the form asks for the delay's reason)."""
    now = timezone.now()
    return any(c.rule in rules and c.stopped_at is None and c.due_at < now for c in opened.clocks)


def _attendance(form: meeting_forms.HeldForm) -> list[services.AttendanceInput]:
    return [
        services.AttendanceInput(
            organisation_id=org.pk,
            participation=form.cleaned_data[f"participation_{org.pk}"],
            reason=form.cleaned_data[f"reason_{org.pk}"],
        )
        for org in form.organisations
    ]


def outcome(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = case_worker(request)
    opened = _open(actor, meeting_id)
    meeting = opened.meeting
    if not opened.is_council or meeting.held_at is not None or meeting.kind == MeetingKind.CORE_GROUP:
        raise Http404("No such page")
    form = _outcome_form(
        meeting,
        request.POST if request.method == "POST" else None,
        _overdue(opened, services.stops(meeting.kind)),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": actor,
            "meeting": meeting,
            "held_at": combine(data["held_date"], data["held_time"]),
            "attendance": _attendance(form),
            "actions": data["actions"],
            "delay_reason": data["delay_reason"],
        }
        try:
            if meeting.kind == MeetingKind.STRATEGY_DISCUSSION:
                services.strategy_discussion_record_outcome(
                    **common,
                    s47_decision=data["s47_decision"],
                    decision_reasons=data["decision_reasons"],
                    s47_started_on=data["s47_started_on"],
                    evidential_interview_requested=data["evidential_interview"],
                    evidential_interview_target=data["evidential_interview_target"],
                )
            else:
                services.conference_record_outcome(**common, plan=data["plan"], categories=data["categories"])
        except InvalidInput as error:
            _show_errors(form, error)
        else:
            messages.success(
                request, f"Outcome of {meeting.reference} recorded and shared with the agencies invited"
            )
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return _form_page(
        request,
        form,
        title=f"Record the outcome: {meeting.get_kind_display().lower()}",
        caption=meeting.reference,
        button="Record the outcome",
    )


def _show_errors(form: meeting_forms.HeldForm, error: InvalidInput) -> None:
    if "delay_reason" in error.errors:
        form.show_delay(True)
    add_service_errors(
        form, InvalidInput({form.field_for(key): value for key, value in error.errors.items()})
    )


def core_group(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = case_worker(request)
    opened = _open(actor, meeting_id)
    conference = opened.meeting
    if not opened.is_council or conference.kind not in CONFERENCE_KINDS or not conference.plan:
        raise Http404("No such page")
    form = meeting_forms.HeldForm(
        request.POST if request.method == "POST" else None,
        organisations=[invitation.organisation for invitation in conference.invitations.all()],
        show_delay=_overdue(opened, [ClockRule.CORE_GROUP]),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.core_group_record(
                actor=actor,
                conference=conference,
                held_at=combine(data["held_date"], data["held_time"]),
                attendance=_attendance(form),
                actions=data["actions"],
                delay_reason=data["delay_reason"],
            )
        except InvalidInput as error:
            _show_errors(form, error)
        else:
            messages.success(request, f"Core group meeting {meeting.reference} recorded")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return _form_page(
        request,
        form,
        title="Record a core group meeting",
        caption=conference.reference,
        button="Record the meeting",
    )


def interview(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = case_worker(request)
    opened = _open(actor, meeting_id)
    found = EvidentialInterview.objects.filter(strategy_discussion=opened.meeting).first()
    if found is None or not found.is_open:
        raise Http404("No such page")
    form = meeting_forms.InterviewForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        held = data["held"]
        if held and (data["held_date"] is None or data["held_time"] is None):
            form.add_error("held_date", "Enter the date and time of the interview")
        else:
            try:
                services.evidential_interview_record(
                    actor=actor,
                    interview=found,
                    held_at=combine(data["held_date"], data["held_time"]) if held else None,
                    not_held_reason="" if held else data["not_held_reason"],
                )
            except InvalidInput as error:
                add_service_errors(form, error, {"held_at": "held_date" if held else "not_held_reason"})
            else:
                messages.success(request, "Evidential interview recorded")
                return redirect("meetings:detail", meeting_id=opened.meeting.pk)
    return _form_page(
        request,
        form,
        title="Record the evidential interview",
        caption=opened.meeting.reference,
        button="Record",
    )


def attendance(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    rows = selectors.attendance_counts(actor=actor)
    return render(request, "meetings/attendance.html", {"rows": rows})


def _question_page(request: HttpRequest, form, **context) -> HttpResponse:
    context |= {"form": form, "errors": error_summary_items(form) if form.is_bound else []}
    return render(request, "meetings/question.html", context)


def _changeable(request: HttpRequest, meeting_id: str) -> tuple[Actor, Meeting]:
    """The meeting, for the council that convened it while it can still change; 404 for anyone else."""
    actor = case_worker(request)
    meeting = _open(actor, meeting_id).meeting
    if not meeting.is_open or not policy.may_change_meeting(actor, meeting.council_id):
        raise Http404("No such page")
    return actor, meeting


def _not_moved_warning(meeting: Meeting) -> str:
    deadline = selectors.meeting_deadline(meeting)
    if deadline is None:
        return ""
    return (
        f"Moving the meeting does not move its deadline: it is due by {govuk_datetime(deadline.due_at)}. "
        "A later date will show as late."
    )


def reschedule(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor, meeting = _changeable(request, meeting_id)
    form = meeting_forms.RescheduleForm(
        request.POST if request.method == "POST" else None, initial={"location": meeting.location}
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            changes.meeting_reschedule(
                actor=actor,
                meeting=meeting,
                scheduled_for=combine(data["scheduled_date"], data["scheduled_time"]),
                location=data["location"],
                reason=data["reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"scheduled_for": "scheduled_date"})
        else:
            messages.success(request, f"{meeting.reference} moved: every agency invited has been told")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return _question_page(
        request,
        form,
        title=f"Move the {meeting.get_kind_display().lower()}",
        heading=f"Move the {meeting.get_kind_display().lower()}",
        caption=f"{meeting.reference}, now {govuk_datetime(meeting.scheduled_for)}",
        warning=_not_moved_warning(meeting),
        button="Move the meeting",
        back=reverse("meetings:detail", args=[meeting.pk]),
    )


def cancel(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor, meeting = _changeable(request, meeting_id)
    form = meeting_forms.CancelForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            changes.meeting_cancel(actor=actor, meeting=meeting, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{meeting.reference} cancelled: every agency invited has been told")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    deadline = selectors.meeting_deadline(meeting)
    warning = (
        f"Cancelling does not stop the clock: the {meeting.get_kind_display().lower()} is still due by "
        f"{govuk_datetime(deadline.due_at)}. Convene another to meet it."
        if deadline is not None
        else ""
    )
    return _question_page(
        request,
        form,
        title="Why is the meeting cancelled?",
        caption=f"Cancel {meeting.get_kind_display().lower()} {meeting.reference}",
        warning=warning,
        button="Cancel the meeting",
        destructive=True,
        back=reverse("meetings:detail", args=[meeting.pk]),
    )


def invite(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor, meeting = _changeable(request, meeting_id)
    invitable = selectors.invitable_organisations(actor=actor, child=meeting.child)
    already = {invitation.organisation_id for invitation in meeting.invitations.all()}
    chosen_from = [org for org in [*invitable.always, *invitable.chosen_from] if org.pk not in already]
    form = meeting_forms.InviteForm(
        request.POST if request.method == "POST" else None, chosen_from=chosen_from
    )
    if form.is_bound and form.is_valid():
        try:
            changes.meeting_invite(
                actor=actor,
                meeting=meeting,
                invited=list(Organisation.objects.filter(pk__in=form.cleaned_data["invited"])),
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Invitations sent: every agency already invited has been told")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return _question_page(
        request,
        form,
        title="Which agencies do you want to invite?",
        caption=f"{meeting.get_kind_display()} {meeting.reference}",
        warning="" if chosen_from else "Every agency that can be invited already is.",
        button="Send invitations",
        back=reverse("meetings:detail", args=[meeting.pk]),
    )


def birth(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    child = _child(actor, person_id)
    if child.kind != "unborn" or not policy.may_record_birth(actor, reason_to_see(actor, child.pk)):
        raise Http404("No such page")
    form = meeting_forms.BirthForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            changes.birth_record(
                actor=actor,
                child=child,
                date_of_birth=data["date_of_birth"],
                given_name=data["given_name"],
                family_name=data["family_name"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Birth recorded")
            return redirect("meetings:child", person_id=child.pk)
    return _form_page(
        request,
        form,
        title="Record the birth",
        caption=child.full_name or "Unborn child",
        button="Record the birth",
    )
