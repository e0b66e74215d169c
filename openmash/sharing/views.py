"""Inboxes, a share with its delivery timeline and acknowledgement, the sender's submissions, stuck deliveries;
an organisation's webhook endpoints."""

import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.db import connection as db_connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from openmash.access import policy
from openmash.access.requests import case_worker
from openmash.accounts.actors import Actor, actor_for_request, actor_still_allowed
from openmash.events.models import EventKind
from openmash.lib.errors import InvalidInput
from openmash.organisations.models import OrganisationKind
from openmash.sharing import selectors
from openmash.sharing.forms import WebhookEndpointForm
from openmash.sharing.live import InboxSubscription
from openmash.sharing.models import Delivery, DeliveryStatus
from openmash.sharing.services import (
    delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_remove,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_test,
)
from openmash.ui.forms import add_service_errors


def inbox(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    view = request.GET.get("view", "")
    filters = selectors.InboxFilters(
        status=request.GET.get("status", ""),
        kind=request.GET.get("kind", ""),
        view=view if view in selectors.InboxView.LABELS else selectors.InboxView.LIVE,
    )
    counts = selectors.inbox_counts(actor=actor)
    context = {
        "shares": selectors.inbox(actor=actor, filters=filters),
        "counts": counts,
        "live_count": sum(counts[status] for status in selectors.DeadlineStatus.LABELS),
        "views": selectors.InboxView.LABELS,
        "labels": selectors.DeadlineStatus.LABELS,
        "filters": filters,
        "kinds": EventKind.choices,
        "now": timezone.now(),
        "is_school": actor.organisation is not None and actor.organisation.kind == OrganisationKind.SCHOOL,
    }
    template = "sharing/_inbox_results.html" if request.headers.get("HX-Request") else "sharing/inbox.html"
    return render(request, template, context)


def _events(actor: Actor, since: dt.datetime) -> tuple[list[str], dt.datetime]:
    shares = selectors.inbox_delivered_since(actor=actor, since=since)
    if not shares:
        return [], since
    delivered = [(share, share.delivered_at) for share in shares if share.delivered_at is not None]
    lines = [
        f"id: {at.isoformat()}\nevent: share\ndata: {json.dumps({'share_id': str(share.pk)})}\n\n"
        for share, at in delivered
    ]
    # Inclusive cursor plus a microsecond: nothing delivered in the same instant is skipped or repeated.
    return lines, max(at for _share, at in delivered) + dt.timedelta(microseconds=1)


def event_cursor(last_event_id: str) -> dt.datetime | None:
    """Where a stream resumes after a Last-Event-ID (an instant this stream sent), or None when it is not one:
    not an ISO 8601 instant with an offset, or the very last microsecond a datetime can hold."""
    try:
        last = dt.datetime.fromisoformat(last_event_id)
        if last.utcoffset() is None:
            return None
        return last + dt.timedelta(microseconds=1)
    except (ValueError, OverflowError):
        return None


def _cursor(request: HttpRequest) -> dt.datetime:
    return event_cursor(request.headers.get("Last-Event-ID", "")) or timezone.now()


# How often a live stream asks whether its account or API client may still see the inbox (seconds).
STILL_ALLOWED_EVERY = 3


def live_stream(actor: Actor, request: HttpRequest, *, max_seconds: float = 3600) -> StreamingHttpResponse:
    """Server-sent events for the actor's inbox: one ``share`` event each time a share arrives.

    Under ASGI (uvicorn) the stream is asynchronous and wakes on PostgreSQL NOTIFY; under WSGI (the test
    server) it polls. Either way it re-reads the inbox rows, so what it sends is what the inbox holds.
    """
    since = _cursor(request)
    deadline = time.monotonic() + max_seconds

    def allowed() -> bool:
        return actor_still_allowed(actor, request)

    async def async_events() -> AsyncIterator[str]:
        cursor = since
        yield ": connected\n\n"
        async with InboxSubscription(actor.organisation.pk if actor.organisation else 0) as subscription:
            while time.monotonic() < deadline and await sync_to_async(allowed)():
                lines, cursor = await sync_to_async(_events)(actor, cursor)
                for line in lines:
                    yield line
                if not lines and not await subscription.wait(timeout=STILL_ALLOWED_EVERY):
                    yield ": keep-alive\n\n"

    def sync_events() -> Iterator[str]:
        cursor = since
        checked = time.monotonic()
        yield ": connected\n\n"
        try:
            while time.monotonic() < deadline:
                if time.monotonic() - checked >= STILL_ALLOWED_EVERY:
                    if not allowed():
                        break
                    checked = time.monotonic()
                lines, cursor = _events(actor, cursor)
                yield from lines
                if not lines:
                    time.sleep(0.1)
                    # A comment now and then finds a closed connection within a second and ends the stream.
                    yield ": keep-alive\n\n"
        finally:
            db_connection.close()

    stream: Iterator[str] | AsyncIterator[str] = (
        async_events() if isinstance(request, ASGIRequest) else sync_events()
    )
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def inbox_stream(request: HttpRequest) -> StreamingHttpResponse:
    return live_stream(case_worker(request), request)


def submissions(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    return render(request, "sharing/submissions.html", {"events": selectors.my_submissions(actor=actor)})


def stuck(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    return render(request, "sharing/stuck.html", {"deliveries": selectors.stuck_deliveries(actor=actor)})


@require_POST
def replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    actor = case_worker(request)
    delivery = (
        Delivery.objects.select_related("share")
        .filter(pk=delivery_id, status=DeliveryStatus.DEAD)
        .exclude(endpoint__active=False)
        .first()
    )
    if delivery is None or actor.organisation is None or delivery.share.recipient_id != actor.organisation.pk:
        raise Http404("No such stuck delivery")
    delivery_replay(actor=actor, delivery=delivery)
    messages.success(request, "Queued to be sent again")
    return redirect("sharing:stuck")


# An organisation's webhook endpoints, for its administrators: list, add (with a check), test, rotate the
# secret, remove (each with a confirmation). A secret is shown once, on the page that made it.


def _webhook_administrator(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if actor.organisation is None or not policy.may_administer(actor, actor.organisation):
        raise Http404("Not an administrator")
    return actor


def _endpoint(actor: Actor, endpoint_id: int):
    return selectors.webhook_endpoint_open(actor=actor, endpoint_id=endpoint_id)


def webhooks(request: HttpRequest) -> HttpResponse:
    actor = _webhook_administrator(request)
    endpoints = selectors.webhook_endpoints(actor=actor)
    return render(
        request, "sharing/webhooks.html", {"endpoints": endpoints, "organisation": actor.organisation}
    )


@never_cache
def webhook_add(request: HttpRequest) -> HttpResponse:
    actor = _webhook_administrator(request)
    if request.method != "POST":
        form = WebhookEndpointForm(initial={"url": request.GET.get("url", "")})
        return render(request, "sharing/webhook_form.html", {"form": form})
    form = WebhookEndpointForm(request.POST)
    if not form.is_valid():
        return render(request, "sharing/webhook_form.html", {"form": form})
    if request.POST.get("confirmed") != "yes":
        return render(request, "sharing/webhook_check.html", {"url": form.cleaned_data["url"]})
    try:
        created = webhook_endpoint_create(actor=actor, url=form.cleaned_data["url"])
    except InvalidInput as error:
        add_service_errors(form, error)
        return render(request, "sharing/webhook_form.html", {"form": form})
    context = {"endpoint": created.endpoint, "secret": created.secret, "heading": "Webhook endpoint added"}
    return render(request, "sharing/webhook_secret.html", context)


@require_POST
def webhook_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actor = _webhook_administrator(request)
    endpoint = _endpoint(actor, endpoint_id)
    result = webhook_endpoint_test(actor=actor, endpoint=endpoint)
    return render(request, "sharing/webhook_tested.html", {"endpoint": endpoint, "result": result})


@never_cache
def webhook_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actor = _webhook_administrator(request)
    endpoint = _endpoint(actor, endpoint_id)
    if request.method != "POST":
        return render(request, "sharing/webhook_confirm.html", {"endpoint": endpoint, "action": "rotate"})
    rotated = webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint)
    context = {"endpoint": endpoint, "secret": rotated.secret, "heading": "New secret made"}
    return render(request, "sharing/webhook_secret.html", context)


def webhook_remove(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actor = _webhook_administrator(request)
    endpoint = _endpoint(actor, endpoint_id)
    if request.method != "POST":
        return render(request, "sharing/webhook_confirm.html", {"endpoint": endpoint, "action": "remove"})
    webhook_endpoint_remove(actor=actor, endpoint=endpoint)
    messages.success(request, f"Webhook endpoint removed: nothing more will be sent to {endpoint.url}")
    return redirect("sharing:webhooks")
