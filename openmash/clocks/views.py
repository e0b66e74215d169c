"""Deadlines: what is overdue or due soon (mine, my team's, my organisation's), one clock, and the rules."""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor, actor_for_request
from openmash.clocks import engine, selectors, services
from openmash.clocks.forms import AllocationForm, AreaSettingForm, DoneForm, SchoolDayStartForm, TermBreakForm
from openmash.clocks.models import Clock, SchoolCalendar, TermBreak, WorkType
from openmash.clocks.starts import DONE_ON_THE_CLOCK
from openmash.events.models import EventKind
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.models import Share
from openmash.ui.forms import add_service_errors, error_summary_items


def deadlines(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    scopes = selectors.scopes_for(actor)
    if not scopes:
        raise Http404("Not available to this role")
    assert actor.organisation is not None  # scopes_for gives none without one
    scope = request.GET.get("scope") or scopes[0]
    choices = selectors.what_choices(actor)
    what = request.GET.get("what", "")
    what = what if what in dict(choices) or what in selectors.rule_titles(actor) else ""
    unallocated = request.GET.get("unallocated") == "yes"
    lists = selectors.deadlines(actor=actor, scope=scope, what=what, unallocated_only=unallocated)
    context = {
        "lists": lists,
        "groups": [
            (name, label, lists.groups[name], lists.counts[name])
            for name, label in selectors.Group.LABELS.items()
        ],
        "scopes": [(name, selectors.Scope.LABELS[name]) for name in scopes],
        "what_choices": choices,
        "may_see_caseload": policy.may_see_caseload(actor),
        "now": timezone.now(),
        "may_see_notifications": policy.may_see_notification_timeliness(actor),
    }
    return render(request, "clocks/deadlines.html", context)


def notifications(request: HttpRequest) -> HttpResponse:
    """For a sender's managers: its notifications to other agencies, in time or late (its own clocks)."""
    actor = actor_for_request(request)
    sent = selectors.notifications_sent(actor=actor)
    if sent is None:
        raise Http404("Not available to this role")
    context = {"sent": sent, "titles": selectors.rule_titles(actor), "organisation": actor.organisation}
    return render(request, "clocks/notifications.html", context)


def caseload(request: HttpRequest) -> HttpResponse:
    """A team manager's caseload: each worker's open work and what is overdue."""
    actor = actor_for_request(request)
    loads = selectors.caseload(actor=actor)
    context = {"loads": loads, "now": timezone.now(), "team": actor.user.team if actor.user else ""}
    return render(request, "clocks/caseload.html", context)


def escalations(request: HttpRequest) -> HttpResponse:
    """The missed deadlines raised to this team manager or partnership lead, still waiting."""
    actor = actor_for_request(request)
    items = selectors.escalations(actor=actor)
    return render(request, "clocks/escalations.html", {"items": items, "now": timezone.now()})


@dataclass(frozen=True)
class Work:
    """A piece of an organisation's work to allocate, as the allocation page names it."""

    organisation: Organisation
    work_type: str
    work_id: str
    title: str
    back_url: str
    person_ids: tuple[uuid.UUID, ...] = ()


def _work_for(actor: Actor, work_type: str, work_id: str) -> Work:
    organisation = actor.organisation
    if organisation is None or not policy.may_allocate(actor, organisation.pk):
        raise NotFound("Not available")
    try:
        if work_type == WorkType.SHARE:
            share = Share.objects.select_related("event").get(pk=work_id, recipient=organisation)
            return Work(
                organisation,
                work_type,
                str(share.pk),
                f"{EventKind(share.event.kind).label} {share.event.reference}".strip(),
                reverse("sharing:share", args=[share.pk]),
                tuple(share.people.values_list("pk", flat=True)),
            )
        if work_type == WorkType.CLOCK:
            clock = Clock.objects.get(pk=work_id, organisation=organisation, stopped_at__isnull=True)
            title = engine.load_rules(clock.nation)[clock.rule].title
            people = (clock.person_id,) if clock.person_id else ()
            return Work(
                organisation,
                work_type,
                str(clock.pk),
                title,
                reverse("clocks:clock", args=[clock.pk]),
                people,
            )
    except (Share.DoesNotExist, Clock.DoesNotExist, ValueError, ValidationError):
        pass
    raise NotFound("No such work")


def allocate(request: HttpRequest, work_type: str, work_id: str) -> HttpResponse:
    actor = actor_for_request(request)
    return allocation_page(request, actor, _work_for(actor, work_type, work_id))


def allocation_page(request: HttpRequest, actor: Actor, work: Work) -> HttpResponse:
    """Allocate or reallocate a piece of work (a notification, a clock, a meeting) to a worker in the team."""
    workers = selectors.allocatable_workers(actor)
    current = selectors.current_allocation(work.work_type, work.work_id)
    form = AllocationForm(
        request.POST if request.method == "POST" else None,
        workers=workers,
        initial={"worker": str(current.worker_id)} if current else None,
    )
    if form.is_bound and form.is_valid():
        worker = next(w for w in workers if str(w.pk) == form.cleaned_data["worker"])
        try:
            services.work_allocate(
                actor=actor,
                organisation=work.organisation,
                work_type=work.work_type,
                work_id=work.work_id,
                worker=worker,
                person_ids=work.person_ids,
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Allocated to {worker.get_full_name() or worker.username}")
            return redirect(work.back_url)
    context = {
        "work": work,
        "form": form,
        "current": current,
        "errors": error_summary_items(form) if form.is_bound else [],
    }
    return render(request, "clocks/allocate.html", context)


def clock_detail(request: HttpRequest, clock_id: str) -> HttpResponse:
    actor = actor_for_request(request)
    clock = selectors.clock_open(actor=actor, clock_id=clock_id)
    may_record = clock.is_open and clock.rule in DONE_ON_THE_CLOCK
    form = DoneForm(request.POST if request.method == "POST" and may_record else None)
    if form.is_bound and form.is_valid():
        try:
            services.clock_stop(
                actor=actor, clock=clock, at=form.done_at(), breach_reason=form.cleaned_data["breach_reason"]
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"at": "done_date"})
        else:
            messages.success(request, "Recorded as done")
            return redirect("clocks:clock", clock_id=clock.pk)
    rule = engine.load_rules(clock.nation)[clock.rule]
    context = {"clock": clock, "rule": rule, "form": form, "may_record": may_record, "now": timezone.now()}
    context["child_name"], context["child_seen"] = selectors.names_as_seen(actor, [clock]).get(
        clock.pk, ("", False)
    )
    context["may_allocate"] = clock.is_open and policy.may_allocate(actor, clock.organisation_id)
    context["errors"] = error_summary_items(form) if form.is_bound else []
    return render(request, "clocks/clock.html", context)


def rules(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if actor.organisation is None:
        raise Http404("Not available")
    settings = services.area_settings_for(actor.organisation)
    area = policy.repeat_missing_area(actor)
    context = {
        "rules": [
            (
                rule,
                services.figure_words(rule.unit, rule.amount),
                settings.get(rule.id),
                services.figure_words(settings[rule.id].unit, settings[rule.id].amount)
                if rule.id in settings
                else "",
            )
            for rule in engine.load_rules(actor.organisation.nation).values()
        ],
        "may_set": policy.may_set_clock_figures(actor, actor.organisation),
        "may_set_school_days": policy.may_set_school_days(actor, actor.organisation),
        # The area's other figure the product counts by (openmash.missing's page, by its address).
        "may_set_repeat_missing": area is not None and policy.may_set_repeat_missing(actor, area.pk),
    }
    return render(request, "clocks/rules.html", context)


def area_setting(request: HttpRequest, rule_id: str) -> HttpResponse:
    actor = actor_for_request(request)
    organisation = actor.organisation
    if organisation is None or not policy.may_set_clock_figures(actor, organisation):
        raise Http404("Not available")
    rule = engine.load_rules(organisation.nation).get(rule_id)
    if rule is None or not rule.local_default:
        raise Http404("No such local default")
    form = AreaSettingForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.area_setting_set(
                actor=actor, organisation=organisation, rule=rule.id, **form.cleaned_data
            )
        except (InvalidInput, NotAllowed) as error:
            if isinstance(error, NotAllowed):
                raise Http404("Not available") from None
            add_service_errors(form, error)
        else:
            messages.success(request, f"{rule.title}: your area's figure is saved")
            return redirect("clocks:rules")
    context = {"rule": rule, "form": form, "errors": error_summary_items(form) if form.is_bound else []}
    return render(request, "clocks/area_setting.html", context)


def school_days(request: HttpRequest) -> HttpResponse:
    """A school's or council's term breaks and the start of its school day, for Operation Encompass."""
    actor = actor_for_request(request)
    organisation = actor.organisation
    if organisation is None or not policy.may_set_school_days(actor, organisation):
        raise Http404("Not available")
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted is not None else None
    breaks_form = TermBreakForm(posted if which == "break" else None)
    start_form = SchoolDayStartForm(posted if which == "start" else None)
    try:
        if which == "remove" and posted is not None:
            chosen = posted.get("term_break", "")
            item = (
                TermBreak.objects.filter(organisation=organisation, pk=int(chosen)).first()
                if chosen.isdigit()
                else None
            )
            if item is None:
                raise Http404("No such break")
            services.term_break_remove(actor=actor, term_break=item)
            messages.success(request, f"{item.name} removed")
            return redirect("clocks:school-days")
        if breaks_form.is_bound and breaks_form.is_valid():
            services.term_break_add(actor=actor, organisation=organisation, **breaks_form.cleaned_data)
            messages.success(request, f"{breaks_form.cleaned_data['name']} added")
            return redirect("clocks:school-days")
        if start_form.is_bound and start_form.is_valid():
            services.school_day_start_set(
                actor=actor, organisation=organisation, starts_at=start_form.cleaned_data["starts_at"]
            )
            messages.success(request, "Start of the school day saved")
            return redirect("clocks:school-days")
    except InvalidInput as error:
        add_service_errors(breaks_form if which == "break" else start_form, error)
    calendar = SchoolCalendar.objects.filter(organisation=organisation).first()
    context = {
        "breaks": TermBreak.objects.filter(organisation=organisation),
        "calendar": calendar,
        "breaks_form": breaks_form,
        "start_form": start_form,
        "errors": error_summary_items(breaks_form, start_form),
        "is_school": organisation.kind == OrganisationKind.SCHOOL,
    }
    return render(request, "clocks/school_days.html", context)
