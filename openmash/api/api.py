"""The REST API under /api/v1/: organisation API clients with bearer tokens, errors as RFC 9457 problems."""

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from openmash.access import policy
from openmash.accounts.actors import Actor, actor_for_api_client
from openmash.accounts.services import api_client_authenticate
from openmash.api.auth import request_actor
from openmash.api.inputs import Input, SearchDate, column
from openmash.api.meetings import router as meetings_router
from openmash.api.openapi import DocumentedAPI
from openmash.api.problems import problem
from openmash.api.sharing import router as sharing_router
from openmash.api.webhooks import router as webhooks_router
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.people import selectors
from openmash.people.models import Person, PersonIdentifier

logger = logging.getLogger(__name__)


class ApiClientToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        client = api_client_authenticate(token)
        return actor_for_api_client(client) if client is not None else None


api = DocumentedAPI(
    title="OpenMASH API",
    version="1",
    description=(
        "Multi-agency safeguarding hub. Authenticate with the bearer token of your organisation's API client "
        "(`openmash api-client create`). Errors are `application/problem+json` (RFC 9457). A person who does not "
        "exist and a person your organisation may not see both answer 404. Request bodies are JSON "
        "(`Content-Type: application/json`). Dates and times are ISO 8601 strings (never numbers); a time "
        "without an offset (`2026-11-20T21:30:00`) is Europe/London local time: a time in the hour the clocks "
        "skip in spring is refused, and one in the hour they repeat in autumn is read as the first, British "
        "Summer Time (use an offset to mean the second). Times come back in UTC."
    ),
    auth=ApiClientToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _location(loc: list[Any]) -> str:
    # ninja reports ["body", "payload", "children", 0, "date_of_birth"]; clients want "children.0.date_of_birth".
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts[1:] if parts and parts[0] in ("criteria", "filters") else parts)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _location(list(error.get("loc", []))), "detail": error.get("msg", "Invalid value")}
        for error in exc.errors
    ]
    return problem(
        request, 422, "Unprocessable content", "Some fields are not valid: see errors", errors=errors
    )


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    errors = [
        {"field": field, "detail": message} for field, messages in exc.errors.items() for message in messages
    ]
    return problem(
        request, 422, "Unprocessable content", "Some fields are not valid: see errors", errors=errors
    )


@api.exception_handler(NotFound)
def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return problem(request, 404, "Not found", "No such resource, or your organisation may not see it")


@api.exception_handler(NotAllowed)
def on_not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(
        request, 401, "Unauthorized", "Send a valid API client token: Authorization: Bearer <token>"
    )
    response["WWW-Authenticate"] = 'Bearer realm="openmash"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc), str(exc))


@api.exception_handler(OperationalError)
def on_database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    # A locked or unreachable database: the transaction rolled back whole, so retrying is safe.
    response = problem(
        request,
        503,
        "Service unavailable",
        "The database is busy or unavailable; nothing was saved. Try again.",
    )
    response["Retry-After"] = "1"
    return response


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem(request, 413, "Content too large", "The request body is too large")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Anything not foreseen: logged with its traceback, answered in the API's own shape, never as HTML.
    logger.exception("Unexpected error answering %s %s", request.method, request.path)
    return problem(request, 500, "Internal server error", "Something went wrong; it has been logged.")


JSON_TYPES = ("application/json", "application/problem+json")


def _body_checked(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a body the API would misread before anything reads it: too large (413) or not JSON (415)."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                body = request.body
            except RequestDataTooBig:
                return on_too_large(request, RequestDataTooBig())
            if body and request.content_type not in JSON_TYPES:
                return problem(
                    request,
                    415,
                    "Unsupported media type",
                    "Send the body as JSON: Content-Type: application/json",
                )
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(_body_checked, mode="view")


@api.get("/ping", auth=None, tags=["service"], response={200: dict[str, bool]})
def ping(request: HttpRequest):
    """A no-op: the server's own ceiling, against which the other endpoints' throughput is measured."""
    return {"ok": True}


class PersonSummary(Schema):
    id: uuid.UUID
    kind: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    expected_date_of_birth: dt.date | None


class IdentifierOut(Schema):
    scheme: str
    value: str
    issuer: str | None


class AddressOut(Schema):
    line_1: str
    line_2: str
    town: str
    postcode: str
    council: str
    start_date: dt.date | None
    end_date: dt.date | None


class StatusOut(Schema):
    council: str
    status: str
    start_date: dt.date
    end_date: dt.date | None


class PersonDetail(PersonSummary):
    sex: str
    ethnicity: str
    restricted: bool
    aliases: list[str]
    identifiers: list[IdentifierOut]
    addresses: list[AddressOut]
    statuses: list[StatusOut]
    schools: list[str]
    access_reason: str
    scope: str = Field(
        description="`full`; `encompass` for a school: only who the child is and the school's own "
        "enrolment; `carer` for a carer (a children's home or fostering agency): only who the child is. "
        "Outside `full`, identifiers, addresses, statuses and aliases are not given."
    )


class SearchQuery(Input):
    name: str = ""
    date_of_birth: SearchDate | None = None
    identifier: str = column(PersonIdentifier, "value", "")


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str


# A search needs at least one criterion: said in the document as one exploded query object with at least one
# non-blank member, which separate optional parameters cannot say. Blank is Python's (str.strip): besides
# the pattern language's own spaces, the separators U+001C to U+001F and U+0085.
_NOT_BLANK = "[^\\s\\x1c-\\x1f\\x85]"
_SEARCH_PARAMETERS = [
    {
        "name": "criteria",
        "in": "query",
        "style": "form",
        "explode": True,
        "required": True,
        "description": "At least one of name, date_of_birth (YYYY-MM-DD) or identifier",
        "schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "date_of_birth": {"type": "string", "format": "date"},
                "identifier": {"type": "string"},
            },
            "anyOf": [
                {"required": ["name"], "properties": {"name": {"pattern": _NOT_BLANK}}},
                {"required": ["date_of_birth"]},
                {"required": ["identifier"], "properties": {"identifier": {"pattern": _NOT_BLANK}}},
            ],
        },
    }
]


@api.get(
    "/people",
    response={200: list[PersonSummary], 401: ProblemOut, 422: ProblemOut},
    tags=["people"],
    openapi_extra={"parameters": _SEARCH_PARAMETERS},
)
def people_search(request: HttpRequest, filters: Query[SearchQuery]):
    """People matching a name, date of birth or identifier, among those your organisation may see, best
    first: the identifier exactly; then the name (in either order; case, accents, hyphens and apostrophes
    ignored) and date of birth; then names holding every word given; then names alike. Give at least one of
    the three: a search with none answers 422."""
    criteria = selectors.SearchCriteria(
        name=filters.name, date_of_birth=filters.date_of_birth, identifier=filters.identifier
    )
    return selectors.person_search(actor=request_actor(request), criteria=criteria)


def _detail(person: Person, reason: str, scope: policy.RecordScope, actor: Actor) -> dict[str, Any]:
    full = scope == policy.RecordScope.FULL
    detail: dict[str, Any] = {
        "id": person.pk,
        "kind": person.kind,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "expected_date_of_birth": person.expected_date_of_birth,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "restricted": bool(person.restriction),
        "aliases": [str(name) for name in person.names.all() if name.kind != "legal"],
        "identifiers": [
            {"scheme": item.scheme, "value": item.value, "issuer": item.issuer.code if item.issuer else None}
            for item in person.identifiers.all()
        ],
        "addresses": [
            {
                "line_1": item.line_1,
                "line_2": item.line_2,
                "town": item.town,
                "postcode": item.postcode,
                "council": item.council.code,
                "start_date": item.start_date,
                "end_date": item.end_date,
            }
            for item in person.addresses.all()
        ],
        "statuses": [
            {
                "council": item.council.code,
                "status": item.status,
                "start_date": item.start_date,
                "end_date": item.end_date,
            }
            for item in person.statuses.all()
        ],
        "schools": [item.school.code for item in person.enrolments.all() if item.end_date is None],
        "access_reason": reason,
        "scope": scope,
    }
    if not full:
        detail |= {
            "sex": "",
            "ethnicity": "",
            "aliases": [],
            "identifiers": [],
            "addresses": [],
            "statuses": [],
        }
        own = actor.organisation.code if actor.organisation is not None else None
        detail["schools"] = [code for code in detail["schools"] if code == own]
    return detail


@api.get(
    "/people/{person_id}", response={200: PersonDetail, 401: ProblemOut, 404: ProblemOut}, tags=["people"]
)
def people_read(request: HttpRequest, person_id: str):
    """One person's record. The read is recorded in the audit trail with your organisation's reason."""
    actor = request_actor(request)
    opened = selectors.person_open(actor=actor, person_id=person_id)
    return _detail(opened.person, opened.reason, opened.scope, actor)


# After the api's own endpoints, so the schema lists people first. The routers take the caller's actor from
# api/auth.py, not from here: this module imports them, never the other way round.
api.add_router("", sharing_router)
api.add_router("", meetings_router)

from openmash.api.missing import router as missing_router  # noqa: E402

api.add_router("", missing_router)
api.add_router("", webhooks_router)

from openmash.api.casework import router as casework_router  # noqa: E402

api.add_router("", casework_router)

from openmash.api.philomena import router as philomena_router  # noqa: E402

api.add_router("", philomena_router)

from openmash.api.vetting import router as vetting_router  # noqa: E402

api.add_router("", vetting_router)

from openmash.api.corrections import router as corrections_router  # noqa: E402

api.add_router("", corrections_router)
