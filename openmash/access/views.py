"""Inspection pages: aggregate figures for the council inspected and the cases sampled."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.access.selectors import inspection_summary
from openmash.accounts.actors import actor_for_request
from openmash.lib.errors import NotFound


def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        summary = inspection_summary(actor=actor_for_request(request), inspection_id=inspection_id)
    except NotFound as error:
        raise Http404("No such inspection") from error
    return render(request, "access/inspection.html", {"summary": summary})
