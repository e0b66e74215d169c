"""What every response gets: never kept by a cache; "not yours" answered as "not there"; signed-out
requests from a page's script answered 401; sessions that end at a known time."""

import datetime as dt
from collections.abc import Callable

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
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


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Deny by default, as Django's: a page redirects to sign-in, but a request made by a page's own script
    (htmx, a live stream, JSON) answers 401, so the page can say "You have been signed out" instead of
    inserting the sign-in page into itself."""

    def handle_no_permission(self, request, view_func):
        accept = request.headers.get("Accept", "")
        if request.headers.get("HX-Request") or "text/event-stream" in accept or "application/json" in accept:
            return HttpResponse("You have been signed out", status=401, content_type="text/plain")
        return super().handle_no_permission(request, view_func)


class SessionEndMiddleware(MiddlewareMixin):
    """Fix when a signed-in session ends (SESSION_COOKIE_AGE after sign-in, or after "Stay signed in"), so that
    every page can tell its script how long is left and warn before it ends."""

    def process_request(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "_session_expiry" not in request.session:
            session_extend(request)


def session_extend(request: HttpRequest) -> None:
    request.session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
