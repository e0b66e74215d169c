"""The request id (lib/requestid.py) and the request metrics (operations.metrics), first in MIDDLEWARE so that
every log line of a request has its id and the time measured is nearly all of the request's."""

import time
from collections.abc import Callable

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from openmash.lib.requestid import request_id, request_id_new, request_id_valid
from openmash.operations.metrics import LATENCY, REQUESTS

HEADER = "X-Request-ID"


def _begin(request: HttpRequest) -> str:
    """The request's id: the caller's X-Request-ID (a load balancer's, say) if it is a plain token, else new."""
    return request_id_valid(request.META.get("HTTP_X_REQUEST_ID")) or request_id_new()


def _route(request: HttpRequest) -> str:
    # The URL pattern, not the path: a path holds record ids, and one label value per record would grow
    # without end. Requests that matched no pattern (not found) share one value.
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else "(unmatched)"


def _count(request: HttpRequest, response: HttpResponseBase, began: float) -> None:
    route = _route(request)
    method = request.method or ""
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    LATENCY.labels(route, method).observe(time.perf_counter() - began)


@sync_and_async_middleware
def request_middleware(get_response: Callable) -> Callable:
    if iscoroutinefunction(get_response):

        async def middleware_async(request: HttpRequest) -> HttpResponseBase:
            began = time.perf_counter()
            rid = _begin(request)
            request_id.set(rid)
            response = await get_response(request)
            response[HEADER] = rid
            _count(request, response, began)
            return response

        return middleware_async

    def middleware(request: HttpRequest) -> HttpResponseBase:
        began = time.perf_counter()
        rid = _begin(request)
        # Not reset on the way out: Django logs a failed request's line ("Not Found: ...") after the
        # middleware has answered, and it should carry the id too. The next request in this thread (or
        # asynchronous task, which has a context of its own) sets its own.
        request_id.set(rid)
        response = get_response(request)
        response[HEADER] = rid
        _count(request, response, began)
        return response

    return middleware
