"""Inspection pages: aggregate figures for the council inspected and the cases sampled."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.accounts.actors import actor_for_request
from openmash.insight.selectors import inspection_summary


def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    summary = inspection_summary(actor=actor_for_request(request), inspection_id=inspection_id)
    return render(request, "insight/inspection.html", {"summary": summary})
