"""Inspection access pages. The team's: the inspection (what it may read, or that access has ended), the area's
measures, the lists as XLSX, the sample. The area administrators': its grants, granting (inspectorate, then the
team, times and reason, then check your answers), a grant with "revoke", and who of the team looked at what."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openmash.access import policy
from openmash.access.models import INSPECTION_ACCESS_MAX, INSPECTION_SAMPLE_SIZE
from openmash.access.selectors import area_inspection, area_inspections
from openmash.access.services import (
    inspection_access_check,
    inspection_access_grant,
    inspection_access_revoke,
    inspection_sample_draw,
)
from openmash.accounts.actors import actor_for_request
from openmash.accounts.models import Role, User
from openmash.audit.models import AuditAction
from openmash.inspections import lists
from openmash.inspections.forms import InspectorateForm, RevokeForm, TeamAndTimesForm
from openmash.inspections.selectors import (
    AccessEnded,
    inspection_measures,
    inspection_open,
    inspection_read_audit,
    sample_population,
    who_looked,
)
from openmash.lib.errors import InvalidInput, NotFound
from openmash.lib.instants import london_to_utc
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.ui.forms import add_service_errors, error_summary_items

# The team's pages -------------------------------------------------------------------------------------------


def _access_ended(request: HttpRequest, ended: AccessEnded) -> HttpResponse:
    """A team member outside the grant's times: told why, shown nothing, and answered 404 like anyone else."""
    context = {"inspection": ended.inspection, "state": ended.state, "states": policy.InspectionAccess}
    return render(request, "inspections/access_ended.html", context, status=404)


def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        found = inspection_open(actor=actor, inspection_id=inspection_id, page="inspection")
    except AccessEnded as ended:
        return _access_ended(request, ended)
    return render(
        request,
        "inspections/inspection.html",
        {"inspection": found, "lists": [(number, lists.LIST_NAMES[number]) for number in lists.LISTS]},
    )


def measures(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        found = inspection_open(actor=actor, inspection_id=inspection_id, page="measures")
    except AccessEnded as ended:
        return _access_ended(request, ended)
    return render(
        request, "inspections/measures.html", {"inspection": found, "measures": inspection_measures(found)}
    )


def list_download(request: HttpRequest, inspection_id: int, number: int) -> HttpResponse:
    actor = actor_for_request(request)
    if number not in lists.LISTS:
        raise NotFound("No such list")
    try:
        found = inspection_open(actor=actor, inspection_id=inspection_id, page="")
    except AccessEnded as ended:
        return _access_ended(request, ended)
    if not policy.may_download_inspection_lists(actor, found):
        raise NotFound("No such inspection")
    made_at = timezone.now()
    listed = lists.inspection_list_make(number, council=found.council, as_of=made_at)
    body = lists.list_xlsx(listed, council=found.council, made_at=made_at)
    inspection_read_audit(
        actor=actor,
        inspection=found,
        page=f"list {number}",
        action=AuditAction.EXPORT,
        detail={
            "list": number,
            "rows": len(listed.rows),
            "children": [str(child) for child in listed.children],
        },
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"annex-a-list-{number}-{found.council.code}-{timezone.localdate(made_at):%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def sample(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        found = inspection_open(
            actor=actor, inspection_id=inspection_id, page="" if request.method == "POST" else "sample"
        )
    except AccessEnded as ended:
        return _access_ended(request, ended)
    if request.method == "POST":
        try:
            inspection_sample_draw(actor=actor, inspection=found, population=sample_population(found))
        except InvalidInput as error:
            messages.error(
                request, " ".join(message for values in error.errors.values() for message in values)
            )
        else:
            messages.success(request, "The sample of cases has been drawn")
        return redirect("inspections:sample", found.pk)
    samples = list(
        found.samples.select_related("person").order_by("person__family_name", "person__given_name")
    )
    return render(
        request,
        "inspections/sample.html",
        {
            "inspection": found,
            "samples": samples,
            "drawn": any(item.seed is not None for item in samples),
            "size": INSPECTION_SAMPLE_SIZE,
        },
    )


# The area administrators' pages -----------------------------------------------------------------------------

SESSION_KEY = "inspection-grant"


def _administered_council(request: HttpRequest):
    actor = actor_for_request(request)
    if actor.organisation is None or not policy.may_grant_inspection_access(actor, actor.organisation):
        raise NotFound("Not an administrator of a council")
    return actor, actor.organisation


def grants(request: HttpRequest) -> HttpResponse:
    actor, council = _administered_council(request)
    rows = [(item, policy.inspection_access_state(item)) for item in area_inspections(actor=actor)]
    return render(request, "inspections/grants.html", {"council": council, "rows": rows})


def _inspectors(inspectorate: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            organisation=inspectorate, is_active=True, role_assignments__role=Role.INSPECTOR
        ).order_by("last_name", "first_name")
    )


def grant_inspectorate(request: HttpRequest) -> HttpResponse:
    _actor, council = _administered_council(request)
    inspectorates = list(Organisation.objects.filter(kind=OrganisationKind.INSPECTORATE).order_by("name"))
    answers = request.session.get(SESSION_KEY, {})
    form = InspectorateForm(
        request.POST if request.method == "POST" else None,
        inspectorates=inspectorates,
        initial={"inspectorate": answers.get("inspectorate")},
    )
    if request.method == "POST" and form.is_valid():
        if answers.get("inspectorate") != form.cleaned_data["inspectorate"]:
            answers = {
                "inspectorate": form.cleaned_data["inspectorate"]
            }  # another team: start its answers again
        request.session[SESSION_KEY] = answers
        return redirect("inspections:grant-team")
    return render(
        request,
        "inspections/grant_inspectorate.html",
        {"form": form, "errors": error_summary_items(form), "council": council},
    )


def _chosen_inspectorate(request: HttpRequest) -> Organisation | None:
    answers = request.session.get(SESSION_KEY, {})
    return Organisation.objects.filter(
        pk=answers.get("inspectorate"), kind=OrganisationKind.INSPECTORATE
    ).first()


def grant_team(request: HttpRequest) -> HttpResponse:
    actor, council = _administered_council(request)
    inspectorate = _chosen_inspectorate(request)
    if inspectorate is None:
        return redirect("inspections:grant-inspectorate")
    answers = request.session[SESSION_KEY]
    inspectors = _inspectors(inspectorate)
    form = TeamAndTimesForm(
        request.POST if request.method == "POST" else None,
        inspectors=inspectors,
        initial=answers.get("form", {}),
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        chosen = [user for user in inspectors if str(user.pk) in form.cleaned_data["team"]]
        try:
            inspection_access_check(
                actor=actor,
                council=council,
                inspectorate=inspectorate,
                team=chosen,
                reference=form.cleaned_data["reference"],
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"starts_at": "starts_date", "ends_at": "ends_date"})
        else:
            data = form.cleaned_data
            answers["form"] = {
                "team": data["team"],
                "starts_date": data["starts_date"].isoformat(),
                "starts_time": data["starts_time"].strftime("%H:%M"),
                "ends_date": data["ends_date"].isoformat(),
                "ends_time": data["ends_time"].strftime("%H:%M"),
                "reference": data["reference"],
                "reason": data["reason"],
            }
            request.session[SESSION_KEY] = answers
            return redirect("inspections:grant-check")
    return render(
        request,
        "inspections/grant_team.html",
        {
            "form": form,
            "errors": error_summary_items(form),
            "inspectorate": inspectorate,
            "council": council,
            "longest": INSPECTION_ACCESS_MAX.days,
        },
    )


def _answers(request: HttpRequest):
    """The answers so far as the service takes them, or None when a page was skipped."""

    inspectorate = _chosen_inspectorate(request)
    saved = request.session.get(SESSION_KEY, {}).get("form")
    if inspectorate is None or not saved:
        return None
    team = [user for user in _inspectors(inspectorate) if str(user.pk) in saved["team"]]

    def when(day: str, time: str):
        return london_to_utc(dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time)))

    return {
        "inspectorate": inspectorate,
        "team": team,
        "reference": saved["reference"],
        "starts_at": when(saved["starts_date"], saved["starts_time"]),
        "ends_at": when(saved["ends_date"], saved["ends_time"]),
        "reason": saved["reason"],
    }


def grant_check(request: HttpRequest) -> HttpResponse:
    actor, council = _administered_council(request)
    answers = _answers(request)
    if answers is None:
        return redirect("inspections:grant-inspectorate")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            granted = inspection_access_grant(actor=actor, council=council, **answers)
        except InvalidInput as error:
            errors = [("#main-content", message) for values in error.errors.values() for message in values]
        else:
            del request.session[SESSION_KEY]
            return redirect("inspections:grant-done", granted.pk)
    return render(
        request, "inspections/grant_check.html", {"answers": answers, "council": council, "errors": errors}
    )


def grant_done(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor, _council = _administered_council(request)
    granted = area_inspection(actor=actor, inspection_id=inspection_id)
    return render(request, "inspections/grant_done.html", {"inspection": granted})


def grant(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor, _council = _administered_council(request)
    granted = area_inspection(actor=actor, inspection_id=inspection_id)
    return render(
        request,
        "inspections/grant.html",
        {
            "inspection": granted,
            "state": policy.inspection_access_state(granted),
            "may_revoke": policy.may_revoke_inspection_access(actor, granted),
            "members": [member.user for member in granted.members.all()],
        },
    )


@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor, _council = _administered_council(request)
    granted = area_inspection(actor=actor, inspection_id=inspection_id)
    if not policy.may_revoke_inspection_access(actor, granted):
        return redirect("inspections:grant", granted.pk)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection_access_revoke(actor=actor, inspection=granted, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Access for inspection {granted.reference} has ended")
            return redirect("inspections:grant", granted.pk)
    return render(
        request,
        "inspections/grant_revoke.html",
        {"form": form, "errors": error_summary_items(form), "inspection": granted},
    )


def grant_looks(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor, _council = _administered_council(request)
    granted = area_inspection(actor=actor, inspection_id=inspection_id)
    return render(
        request, "inspections/looks.html", {"inspection": granted, "looks": who_looked(inspection=granted)}
    )
