"""An organisation's own retention figures, for its administrators (anyone else: 404)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.lib.errors import InvalidInput, NotFound
from openmash.organisations.models import Organisation
from openmash.retention.forms import RetentionFigureForm
from openmash.retention.rules import rules
from openmash.retention.selectors import retention_figures
from openmash.retention.services import retention_setting_set
from openmash.ui.forms import add_service_errors, error_summary_items


def _organisation(request: HttpRequest) -> Organisation:
    actor = actor_for_request(request)
    if actor.organisation is None or not policy.may_set_retention(actor, actor.organisation):
        raise NotFound("Not available to this role")
    return actor.organisation


def retention_settings(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    context = {"organisation": organisation, "figures": retention_figures(organisation)}
    return render(request, "retention/settings.html", context)


def retention_setting_change(request: HttpRequest, rule: str) -> HttpResponse:
    organisation = _organisation(request)
    found = next(
        (figures for figures in retention_figures(organisation) if figures.default.key == rule), None
    )
    if found is None or rule not in rules():
        raise NotFound("No such retention rule")
    initial = {}
    if found.own is not None:
        initial = {
            "birthday": found.own.birthday,
            "years_after": found.own.years_after,
            "reason": found.own.reason,
        }
    form = RetentionFigureForm(
        request.POST if request.method == "POST" else None, initial=initial, rule=found.default
    )
    if form.is_bound and form.is_valid():
        try:
            retention_setting_set(
                actor=actor_for_request(request),
                organisation=organisation,
                rule=rule,
                birthday=form.cleaned_data.get("birthday"),
                years_after=form.cleaned_data.get("years_after"),
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{found.default.label}: your organisation's figures are saved")
            return redirect("retention:settings")
    context = {
        "organisation": organisation,
        "figures": found,
        "form": form,
        "errors": error_summary_items(form) if form.is_bound else [],
    }
    return render(request, "retention/setting_change.html", context)
