"""RFC 9457 problem details, the one error shape of the API."""

from typing import Any

from django.http import HttpRequest, JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
    500: "internal",
    503: "unavailable",
}


def problem(request: HttpRequest, status: int, title: str, detail: str, **extra: Any) -> JsonResponse:
    body = {
        "type": f"https://openmash.invalid/problems/{_TYPES.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
