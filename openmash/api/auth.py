"""The calling organisation, as every endpoint reads it. Its own module so the api (api.py) and its routers
(sharing.py, meetings.py, webhooks.py) share it without importing each other."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError

from openmash.accounts.actors import Actor


def request_actor(request: HttpRequest) -> Actor:
    """The calling organisation's actor, set by the bearer-token check that guards every endpoint."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise AuthenticationError()
    return actor
