"""The data protection officer's pages: find the record a request is about, export it, download it. Thin: the
policy and the audit live in services."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.lib.errors import InvalidInput
from openmash.subjectaccess import services
from openmash.subjectaccess.forms import RequestForm
from openmash.subjectaccess.models import SubjectAccessExport
from openmash.subjectaccess.render import document_bytes, html_document
from openmash.ui.forms import add_service_errors


def requests(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policy.answers_subject_access(actor):
        raise Http404("Subject access requests are answered by a council's data protection officer")
    form = RequestForm(request.POST if request.method == "POST" else None)
    found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.people_to_answer_for(
                actor=actor,
                reference=data["reference"],
                received_on=data["received_on"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
    answered = [
        (row, services.due_on(row.received_on))
        for row in SubjectAccessExport.objects.filter(council=actor.organisation).select_related("person")[
            :50
        ]
    ]
    return render(
        request,
        "subjectaccess/requests.html",
        {
            "form": form,
            "found": found,
            "answered": answered,
            "data": form.cleaned_data if found is not None else {},
        },
    )


@require_POST
def export(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        received_on = dt.date.fromisoformat(request.POST.get("received_on", ""))
    except ValueError:
        received_on = None
    try:
        made = services.subject_access_export(
            actor=actor,
            person_id=request.POST.get("person", ""),
            reference=request.POST.get("reference", ""),
            received_on=received_on,
        )
    except InvalidInput:
        # The hidden fields came from the search's own answer: only a hand-made request gets here.
        return redirect("subjectaccess:requests")
    return redirect("subjectaccess:exported", export_id=made.request.pk)


def exported(request: HttpRequest, export_id: str) -> HttpResponse:
    actor = actor_for_request(request)
    if not policy.answers_subject_access(actor):
        raise Http404("No such request")
    row = SubjectAccessExport.objects.filter(pk=export_id, council=actor.organisation).first()
    if row is None:
        raise Http404("No such request")
    return render(
        request, "subjectaccess/exported.html", {"row": row, "due": services.due_on(row.received_on)}
    )


FORMATS = {"html": "text/html; charset=utf-8", "json": "application/json", "zip": "application/zip"}


def download(request: HttpRequest, export_id: str, format: str) -> HttpResponse:
    actor = actor_for_request(request)
    if format not in FORMATS:
        raise Http404("No such format")
    made = services.subject_access_again(actor=actor, export_id=export_id)
    if format == "html":
        return HttpResponse(html_document(made.document), content_type=FORMATS["html"])
    response = HttpResponse(document_bytes(made.document, f".{format}"), content_type=FORMATS[format])
    response["Content-Disposition"] = f'attachment; filename="subject-access-{made.request.pk}.{format}"'
    return response
