"""What every response gets: never kept by a browser or a shared cache; "not yours" answered as "not there"."""

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.decorators import sync_and_async_middleware
from django.utils.deprecation import MiddlewareMixin

from openmash.lib.errors import NotAllowed, NotFound


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


class NotFoundMiddleware(MiddlewareMixin):
    """A selector's ``NotFound`` and a service's ``NotAllowed`` answer 404 on every page, in one place.

    Both mean the same to the person asking: the existence of a child's record, meeting or share is itself
    sensitive, so "not yours" looks exactly like "not there" (style.md, habit 3). A view that turns a
    ``NotAllowed`` into a form error catches it itself; the API maps both with its own handlers."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound | NotAllowed):
            raise Http404(str(exception)) from exception
