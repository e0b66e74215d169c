"""Who is asking for a case-work page: the one check every case-work view starts with."""

from django.http import HttpRequest

from openmash.access import policy
from openmash.accounts.actors import Actor, actor_for_request
from openmash.lib.errors import NotFound


def case_worker(request: HttpRequest, *, kind: str | None = None) -> Actor:
    """The signed-in practitioner making a request to a case-work page (of an organisation of ``kind``, when
    given). Anyone else gets the page's 404 (web.middleware.NotFoundMiddleware): a role without case work
    does not learn the page exists."""
    actor = actor_for_request(request)
    if not policy.works_cases(actor) or actor.organisation is None:
        raise NotFound("Not available to this role")
    if kind is not None and actor.organisation.kind != kind:
        raise NotFound("Not available to this organisation")
    return actor
