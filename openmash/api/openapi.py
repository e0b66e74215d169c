"""The API's OpenAPI document, true to what it answers: every operation's error answers declared in one place,
as RFC 9457 problems (``application/problem+json``), rather than copied onto each endpoint."""

from typing import Any

from ninja import NinjaAPI

from openmash.api.problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details. Invalid input lists each field's problem in errors.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
                "required": ["field", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

DESCRIPTIONS = {
    400: "The request body could not be read (not JSON, or not the declared content type)",
    401: "No valid API client token: send Authorization: Bearer <token>",
    403: "Your organisation may see this but not do this to it",
    404: "No such resource, or your organisation may not see it (the two look the same)",
    413: "The request body is too large",
    415: "The request body is not application/json",
    422: "Some fields are not valid: each one is named in errors",
    503: "The database is busy or unavailable; nothing was saved. Retry after the Retry-After seconds",
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    503: {"Retry-After": {"schema": {"type": "string"}, "required": True}},
}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique text of yours (a UUID): a retry with the same key, path and body gets the first "
    "answer and records nothing twice; the same key with a different body is refused (422).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}


def error_answers(operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it takes: a token, path parameters, input."""
    codes = {503}  # any operation reads the database
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        codes.add(401)
    if any(parameter.get("in") == "path" for parameter in parameters):
        codes.add(404)
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes |= {400, 413, 415}
    return codes


def _query_objects_replace_their_members(operation: dict[str, Any]) -> None:
    """An endpoint that documents its query as one exploded object (``openapi_extra``, to say what separate
    parameters cannot, as GET /people does) has it instead of, not beside, ninja's separate parameters."""
    parameters = operation.get("parameters", [])
    members = {
        name
        for parameter in parameters
        if parameter.get("in") == "query" and parameter.get("explode") and "schema" in parameter
        for name in parameter["schema"].get("properties", {})
    }
    if members:
        operation["parameters"] = [
            parameter
            for parameter in parameters
            if not (parameter.get("in") == "query" and parameter.get("name") in members)
        ]


def _records_an_event(responses: dict[str, Any]) -> bool:
    created = responses.get("201", {}).get("content", {}).get("application/json", {}).get("schema", {})
    return str(created.get("$ref", "")).endswith("/RecordedOut")


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Declare each operation's error answers, and every error answer (also those an endpoint declares
    itself) as a problem document."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            _query_objects_replace_their_members(operation)
            # ninja keys the endpoint's own answers by number; JSON keys are text: one key per status.
            responses = operation["responses"] = {
                str(code): answer for code, answer in operation.get("responses", {}).items()
            }
            # Every endpoint that records an event takes the key (api.sharing._idempotent), as does every one
            # marked x-idempotent (api.meetings._idempotent); the mark is ours, not the document's.
            if _records_an_event(responses) or operation.pop("x-idempotent", False):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            for status in error_answers(operation):
                responses.setdefault(str(status), {})
            for key, response in responses.items():
                status = int(key)
                if status < 400:
                    continue
                response["description"] = DESCRIPTIONS.get(status, response.get("description", "Error"))
                response["content"] = problem
                if status in HEADERS:
                    response["headers"] = HEADERS[status]
    return document


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the problems every operation can answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ):
        return with_problems(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
