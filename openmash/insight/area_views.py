"""The partnership dashboard's pages: an area's figures, the cases behind each, its findings (HTML and PDF) and
how every figure is counted. Thin: the period from the form, the read from ``insight.dashboard``."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.insight import dashboard
from openmash.insight.definitions import definitions_html
from openmash.insight.findings_report import findings_pdf
from openmash.insight.forms import PeriodForm, period_query
from openmash.insight.measures import Period
from openmash.insight.trends import default_period


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    """The period chosen (the last 12 months when none is): None when the dates given are wrong."""
    if not any(name.startswith(("from_date", "to_date")) for name in request.GET):
        period = default_period()
        return PeriodForm(initial={"from_date": period.first_day, "to_date": period.last_day}), period
    form = PeriodForm(request.GET)
    return form, form.period() if form.is_valid() else None


def area_home(request: HttpRequest) -> HttpResponse:
    area = policy.dashboard_area(actor_for_request(request))
    if area is None:
        raise Http404("No area")
    return redirect("insight:area", code=area.code)


def area(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for_request(request)
    council = dashboard.area_for(actor=actor, code=code)
    form, period = _period(request)
    board = dashboard.area_dashboard(actor=actor, code=code, period=period) if period else None
    context = {"council": council, "form": form, "board": board, "errors": form.is_bound and form.errors}
    if period is not None:
        context["query"] = period_query(period)
    return render(request, "insight/dashboard.html", context)


def area_list(request: HttpRequest, code: str, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    dashboard.area_for(actor=actor, code=code)
    _form, period = _period(request)
    if period is None:
        raise Http404("No such period")
    rule = request.GET.get("rule", "")
    page = dashboard.area_list(actor=actor, code=code, key=key, period=period, rule=rule)
    return render(request, "insight/area_list.html", {"page": page, "query": period_query(period)})


def findings(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for_request(request)
    dashboard.area_for(actor=actor, code=code)
    _form, period = _period(request)
    if period is None:
        raise Http404("No such period")
    report = dashboard.findings_report(actor=actor, code=code, period=period)
    query = period_query(period)
    if request.GET.get("format") == "pdf":
        pdf = findings_pdf(
            report,
            list_url=lambda key: request.build_absolute_uri(
                reverse("insight:area-list", args=[code, key]) + f"?{query}"
            ),
            definitions=request.build_absolute_uri(reverse("insight:definitions")),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="findings-{report.council.code}.pdf"'
        return response
    return render(request, "insight/findings.html", {"report": report, "query": query})


def definitions(request: HttpRequest) -> HttpResponse:
    return render(request, "insight/definitions.html", {"definitions": definitions_html()})
