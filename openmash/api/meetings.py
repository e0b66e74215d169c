"""API for an invited agency's own system: send its report for a meeting. The same service as the web page."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from openmash.api.auth import request_actor
from openmash.api.inputs import Input
from openmash.meetings import selectors, services

router = Router(tags=["meetings"])


class ReportIn(Input):
    text: str


class ReportOut(Schema):
    meeting_id: uuid.UUID
    reference: str
    organisation: str
    submitted_at: dt.datetime
    late: bool


@router.post("/meetings/{meeting_id}/reports", response={201: ReportOut})
def report_submit(request: HttpRequest, meeting_id: str, payload: ReportIn):
    """Send your agency's report for a meeting it is invited to (before the meeting; later ones are flagged
    late). 404 for a meeting that does not exist or your organisation is not part of; 422 for an empty report
    or a second one."""
    actor = request_actor(request)
    meeting = selectors.meeting_open(actor=actor, meeting_id=meeting_id).meeting
    report = services.agency_report_submit(actor=actor, meeting=meeting, text=payload.text)
    return Status(
        201,
        {
            "meeting_id": meeting.pk,
            "reference": meeting.reference,
            "organisation": report.invitation.organisation.code,
            "submitted_at": report.submitted_at,
            "late": report.late,
        },
    )
