"""Missing children's pages: report missing and found, the episode with every agency's part, the police's risk
grading and safe-and-well check, return home interviews, the council's list and the exploitation lead's
patterns. Thin: the selectors and services decide; NotFound and NotAllowed become 404 in the middleware."""

import datetime as dt
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openmash.access import policy
from openmash.access.requests import case_worker
from openmash.accounts.actors import actor_for_request
from openmash.accounts.models import User
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.lib.instants import LONDON
from openmash.missing import exports, selectors, services
from openmash.missing import forms as missing_forms
from openmash.missing.models import MissingEpisode
from openmash.people.selectors import person_open
from openmash.recording.services import PersonInput
from openmash.ui.forms import add_service_errors, error_summary_items


def _form_page(
    request: HttpRequest, form, *, title: str, caption: str, button: str, episode=None
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "button": button,
        "episode": episode,
        "errors": error_summary_items(form) if form.is_bound else [],
    }
    return render(request, "missing/form.html", context)


def report(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    child = person_open(actor=actor, person_id=person_id).person
    form = missing_forms.MissingReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.missing_report_record(
                actor=actor,
                data=services.MissingReportInput(
                    last_seen_at=missing_forms.when(data, "last_seen"),
                    reported_at=timezone.now(),
                    child=PersonInput(person_id=child.pk),
                    last_seen_where=data["last_seen_where"],
                    category=data["category"],
                    risk=data["risk"],
                    summary=data["summary"],
                ),
            )
        except InvalidInput as error:
            add_service_errors(
                form, error, {"last_seen_at": "last_seen_date", "occurred_at": "last_seen_date"}
            )
        else:
            told = len(recorded.recorded.shares_told)
            messages.success(
                request, f"{child.full_name} reported missing and shared with {told} organisations"
            )
            return redirect("missing:episode", episode_id=recorded.episode.pk)
    return _form_page(
        request,
        form,
        title=f"Report {child.full_name} missing",
        caption="Missing child",
        button="Report missing",
    )


def _episode(request: HttpRequest, episode_id: uuid.UUID):
    actor = case_worker(request)
    return actor, selectors.episode_get(actor=actor, episode_id=episode_id)


def _reader(request: HttpRequest):
    """Who is reading episodes: a case worker, or an inspector reading a sampled child's (the policy decides);
    anyone else gets the page's 404."""
    actor = actor_for_request(request)
    if not policy.may_read_missing_episodes(actor):
        raise NotFound("Not available to this role")
    return actor


def episode(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor = _reader(request)
    opened = selectors.episode_open(actor=actor, episode_id=episode_id)
    item = opened.episode
    placement = services.placement_of(item.child_id)
    context = {
        "opened": opened,
        "episode": item,
        "may_grade": policy.may_grade_missing_risk(actor),
        "may_report_found": item.is_open
        and policy.may_report_missing(actor, [placement.provider_id] if placement else []),
        "may_interview": policy.may_work_return_interviews(actor) and item.found_at is not None,
        "may_update": policy.works_cases(actor),
        "risk_form": missing_forms.RiskForm(),
        "update_form": missing_forms.UpdateForm(),
        "now": timezone.now(),
    }
    return render(request, "missing/episode.html", context)


def found(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    form = missing_forms.FoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.found_report_record(
                actor=actor,
                episode=item,
                data=services.FoundInput(
                    found_at=missing_forms.when(data, "found"),
                    found_where=data["found_where"],
                    found_by=data["found_by"],
                    summary=data["summary"],
                ),
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"found_at": "found_date", "occurred_at": "found_date"})
        else:
            messages.success(request, f"{item.child.full_name} recorded as found")
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request,
        form,
        title=f"Record {item.child.full_name} found",
        caption="Missing child",
        button="Record found",
        episode=item,
    )


def risk(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    form = missing_forms.RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_grade(
                actor=actor, episode=item, risk=form.cleaned_data["risk"], reason=form.cleaned_data["reason"]
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Risk grading recorded")
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request,
        form,
        title="Grade the risk",
        caption=item.child.full_name,
        button="Save grading",
        episode=item,
    )


def update(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    form = missing_forms.UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_update_add(actor=actor, episode=item, text=form.cleaned_data["text"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Update added")
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request, form, title="Add an update", caption=item.child.full_name, button="Add update", episode=item
    )


def safe_and_well(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    form = missing_forms.SafeAndWellForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safe_and_well_record(
                actor=actor,
                episode=item,
                at=missing_forms.when(form.cleaned_data, "checked"),
                notes=form.cleaned_data["notes"],
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"at": "checked_date"})
        else:
            messages.success(request, "Safe-and-well check recorded")
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request,
        form,
        title="Record the safe-and-well check",
        caption=item.child.full_name,
        button="Save check",
        episode=item,
    )


def offer(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    form = missing_forms.OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.return_interview_offer(
                actor=actor,
                episode=item,
                offered_at=missing_forms.when(data, "offered"),
                offered_to=data["offered_to"],
                response=data["response"],
                declined_reason=data["declined_reason"],
                late_reason=data["late_reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"offered_at": "offered_date"})
        else:
            messages.success(request, "Return interview offer recorded")
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request,
        form,
        title="Offer a return home interview",
        caption=item.child.full_name,
        button="Record offer",
        episode=item,
    )


def _interview(item: MissingEpisode):
    interview = getattr(item, "return_interview", None)
    if interview is None:
        raise NotFound("No interview offered yet")
    return interview


def answer(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    interview = _interview(item)
    form = missing_forms.AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_interview_answer(
                actor=actor,
                interview=interview,
                response=form.cleaned_data["response"],
                declined_reason=form.cleaned_data["declined_reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The child's answer is recorded")
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request,
        form,
        title="Record the child's answer",
        caption=item.child.full_name,
        button="Save answer",
        episode=item,
    )


def outcome(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    actor, item = _episode(request, episode_id)
    interview = _interview(item)
    interviewers = User.objects.filter(organisation=actor.organisation, is_active=True)
    form = missing_forms.OutcomeForm(request.POST or None, interviewers=interviewers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions = {
            label: data[name]
            for label, name in (
                ("Police", "action_police"),
                ("Social worker", "action_council"),
                ("Other agencies", "action_other"),
            )
            if data[name].strip()
        }
        try:
            services.return_interview_record(
                actor=actor,
                interview=interview,
                interviewer=data["interviewer"],
                outcome=services.InterviewOutcome(
                    held_at=missing_forms.when(data, "held"),
                    held_where=data["held_where"],
                    why_went=data["why_went"],
                    where_went=data["where_went"],
                    with_whom=data["with_whom"],
                    exploitation=data["exploitation"],
                    child_wishes=data["child_wishes"],
                    actions=actions,
                    places=form.lines("places"),
                    associates=form.lines("associates"),
                    independence_exception=data["independence_exception"],
                ),
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"held_at": "held_date", "occurred_at": "held_date"})
        else:
            messages.success(
                request, "Return home interview recorded and shared with the police and the social worker"
            )
            return redirect("missing:episode", episode_id=item.pk)
    return _form_page(
        request,
        form,
        title="Record the return home interview",
        caption=item.child.full_name,
        button="Record interview",
        episode=item,
    )


def home(request: HttpRequest) -> HttpResponse:
    """Missing children: the returned children for a return-interview service, the list for a council, and
    the episodes the organisation recorded or was told of for everyone, and an inspector's sampled children's."""
    actor = _reader(request)
    if policy.may_work_return_interviews(actor):
        return returned(request)
    assert actor.organisation is not None
    if policy.may_see_missing_list(actor, actor.organisation.pk):
        return missing_list(request)
    episodes = selectors.episodes_search(actor=actor, limit=200)
    return render(request, "missing/episodes.html", {"episodes": episodes, "inspecting": actor.is_inspector})


def child_episodes(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """One child's episodes, as far as the reader may see them (an inspector: a sampled child's). Opening it
    reads the child's record (audited); the list is audited too."""
    actor = _reader(request)
    child = person_open(actor=actor, person_id=person_id).person
    episodes = selectors.episodes_search(actor=actor, child=child.pk, limit=200)
    context = {"episodes": episodes, "child": child, "inspecting": actor.is_inspector}
    return render(request, "missing/episodes.html", context)


def returned(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    items = selectors.returned_children(actor=actor)
    return render(request, "missing/returned.html", {"items": items, "now": timezone.now()})


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON) if day else None


def missing_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    council = actor.organisation
    assert council is not None
    form = missing_forms.PeriodForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since = _day_start(form.cleaned_data["since"])
        last = form.cleaned_data["until"]
        until = _day_start(last + dt.timedelta(days=1)) if last else None
    lines = selectors.missing_list(actor=actor, council=council, since=since, until=until)
    wanted = request.GET.get("format")
    if wanted in ("csv", "xlsx"):
        body = exports.list_csv(lines) if wanted == "csv" else exports.list_xlsx(lines)
        kind = (
            "text/csv; charset=utf-8"
            if wanted == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response = HttpResponse(body, content_type=kind)
        response["Content-Disposition"] = (
            f'attachment; filename="missing-children-{council.code}-{timezone.localdate():%Y-%m-%d}.{wanted}"'
        )
        return response
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "lines": lines,
        "form": form,
        "council": council,
        "query": query.urlencode(),
        "may_see_patterns": policy.may_see_exploitation_patterns(actor, council.pk),
    }
    return render(request, "missing/list.html", context)


def patterns(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    council = actor.organisation
    assert council is not None
    area = council.parent if council.kind == "partnership" and council.parent is not None else council
    items = selectors.exploitation_patterns(actor=actor, council=area)
    return render(request, "missing/patterns.html", {"patterns": items, "council": area})


def repeat_setting(request: HttpRequest) -> HttpResponse:
    """The area's repeat-missing figures, for those the policy lets set them (anyone else: 404)."""
    actor = actor_for_request(request)
    council = policy.repeat_missing_area(actor)
    if council is None or not policy.may_set_repeat_missing(actor, council.pk):
        raise NotFound("Not available to this role")
    episodes, days = services.repeat_figures(council)
    form = missing_forms.RepeatMissingForm(
        request.POST if request.method == "POST" else None, initial={"episodes": episodes, "days": days}
    )
    if form.is_bound and form.is_valid():
        try:
            services.repeat_setting_set(actor=actor, council=council, **form.cleaned_data)
        except NotAllowed as error:
            raise NotFound("Not available to this role") from error
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            data = form.cleaned_data
            messages.success(
                request, f"Repeat missing is now {data['episodes']} episodes in {data['days']} days"
            )
            return redirect("clocks:rules")
    context = {
        "form": form,
        "council": council,
        "episodes": episodes,
        "days": days,
        "errors": error_summary_items(form) if form.is_bound else [],
    }
    return render(request, "missing/repeat_setting.html", context)
