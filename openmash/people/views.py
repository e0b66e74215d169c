"""Find a person, record a child. Thin: policy and audit live in selectors and services. (The person's record
page is drawn by chronology/record.py, above everything it shows.)"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.lib.errors import InvalidInput
from openmash.people import selectors, services
from openmash.people.forms import PersonCreateForm, PersonSearchForm
from openmash.people.models import IdentifierScheme
from openmash.ui.forms import add_service_errors


def search(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policy.may_search_people(actor):
        raise Http404("Search is not available to this role")
    form = PersonSearchForm(request.GET if request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        criteria = selectors.SearchCriteria(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            identifier=form.cleaned_data["identifier"],
        )
        results = selectors.person_search(actor=actor, criteria=criteria)
    return render(request, "people/search.html", {"form": form, "results": results})


def create(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policy.may_record_people(actor):
        raise Http404("Recording people is not available to this role")
    form = PersonCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identifiers = [
            services.IdentifierInput(scheme=scheme, value=data[field])
            for scheme, field in ((IdentifierScheme.NHS_NUMBER, "nhs_number"), (IdentifierScheme.UPN, "upn"))
            if data[field].strip()
        ]
        try:
            person = services.person_create(
                actor=actor,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                ethnicity=data["ethnicity"],
                identifiers_given=identifiers,
                address=services.AddressInput(
                    line_1=data["address_line_1"],
                    town=data["town"],
                    postcode=data["postcode"],
                    council=data["council"],
                ),
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"nhs": "nhs_number", "upn": "upn"})
        else:
            messages.success(request, f"{person.full_name} recorded")
            return redirect("people:record", person_id=person.pk)
    return render(request, "people/create.html", {"form": form})
