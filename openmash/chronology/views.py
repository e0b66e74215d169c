"""A child's chronology page and its CSV and PDF exports. Thin: the policy and the audit live in selectors."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.accounts.actors import Actor, actor_for_request
from openmash.chronology import exports, selectors


def _open(request: HttpRequest, person_id: str, export: str = "") -> tuple[Actor, selectors.Chronology]:
    actor = actor_for_request(request)
    filters = selectors.ChronologyFilters(
        agency=request.GET.get("agency", "").strip(), kind=request.GET.get("type", "").strip()
    )
    opened = selectors.chronology_open(actor=actor, person_id=person_id, filters=filters, export=export)
    return actor, opened


def chronology(request: HttpRequest, person_id: str) -> HttpResponse:
    _actor, opened = _open(request, person_id)
    context = {
        "chronology": opened,
        "person": opened.person,
        "hidden_note": exports.hidden_note(opened.hidden),
        "query": urlencode(opened.filters.as_query()),
    }
    return render(request, "chronology/chronology.html", context)


def chronology_csv(request: HttpRequest, person_id: str) -> HttpResponse:
    _actor, opened = _open(request, person_id, export="csv")
    return exports.chronology_csv(opened)


def chronology_pdf(request: HttpRequest, person_id: str) -> HttpResponse:
    actor, opened = _open(request, person_id, export="pdf")
    return exports.chronology_pdf(opened, actor=actor)
