"""Responses made by the application are never kept by a browser or a shared cache."""

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.decorators import sync_and_async_middleware


@sync_and_async_middleware
def no_store_middleware(get_response: Callable) -> Callable:
    """``Cache-Control: no-store, private`` on every response a view makes.

    Almost every page, file and API answer carries a child's details (a person's record, a chronology's CSV or
    PDF, ``/api/v1/people``) and the rest gain nothing from caching: one rule for every response cannot miss a
    new page. Static files never get here: WhiteNoise answers them earlier, with their own caching.
    """
    if iscoroutinefunction(get_response):

        async def middleware_async(request: HttpRequest) -> HttpResponseBase:
            response = await get_response(request)
            patch_cache_control(response, no_store=True, private=True)
            return response

        return middleware_async

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware
