"""An organisation's webhook endpoints, managed by its own API clients: register, test, rotate, remove."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openmash.api.auth import request_actor
from openmash.sharing import selectors, services
from openmash.sharing.models import WebhookEndpoint

router = Router(tags=["webhooks"])


class WebhookEndpointIn(Schema):
    url: str = Field(
        ...,
        max_length=services.WEBHOOK_URL_MAX_LENGTH,
        description="https URL of your receiver, with no user name or password in it",
        examples=["https://example.org/openmash/webhooks"],
    )


class WebhookEndpointOut(Schema):
    id: int
    url: str
    created_at: dt.datetime


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(
        ...,
        description="Standard Webhooks secret (whsec_...) to check signatures with. Shown only this once.",
    )


class WebhookTestOut(Schema):
    delivered: bool = Field(..., description="True if the endpoint answered with a 2xx status")
    status_code: int | None = Field(..., description="The endpoint's HTTP status; null if none came")
    outcome: str = Field(..., description="What happened, in plain words")


def _out(endpoint: WebhookEndpoint, secret: str | None = None) -> dict:
    out = {"id": endpoint.pk, "url": endpoint.url, "created_at": endpoint.created_at}
    if secret is not None:
        out["secret"] = secret
    return out


@router.get("/webhook-endpoints", response={200: list[WebhookEndpointOut]})
def webhook_endpoints(request: HttpRequest):
    """Your organisation's webhook endpoints: each new share to your organisation is sent to every one."""
    return [_out(endpoint) for endpoint in selectors.webhook_endpoints(actor=request_actor(request))]


@router.post("/webhook-endpoints", response={201: WebhookEndpointWithSecret})
def webhook_endpoint_create(request: HttpRequest, payload: WebhookEndpointIn):
    """Register an endpoint. The answer carries its secret, which is not shown again."""
    created = services.webhook_endpoint_create(actor=request_actor(request), url=payload.url)
    return Status(201, _out(created.endpoint, created.secret))


@router.post("/webhook-endpoints/{endpoint_id}/test", response={200: WebhookTestOut})
def webhook_endpoint_test(request: HttpRequest, endpoint_id: int):
    """Send the endpoint a signed test message (type ``webhook.test``) and say what happened."""
    actor = request_actor(request)
    endpoint = selectors.webhook_endpoint_open(actor=actor, endpoint_id=endpoint_id)
    result = services.webhook_endpoint_test(actor=actor, endpoint=endpoint)
    return {"delivered": result.delivered, "status_code": result.status_code, "outcome": result.outcome}


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret", response={200: WebhookEndpointWithSecret})
def webhook_endpoint_rotate_secret(request: HttpRequest, endpoint_id: int):
    """Give the endpoint a new secret, shown only in this answer; the old one stops being used at once."""
    actor = request_actor(request)
    endpoint = selectors.webhook_endpoint_open(actor=actor, endpoint_id=endpoint_id)
    rotated = services.webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint)
    return _out(rotated.endpoint, rotated.secret)


@router.delete("/webhook-endpoints/{endpoint_id}", response={204: None})
def webhook_endpoint_remove(request: HttpRequest, endpoint_id: int):
    """Remove the endpoint: nothing more is sent to it, including what was still waiting to go."""
    actor = request_actor(request)
    endpoint = selectors.webhook_endpoint_open(actor=actor, endpoint_id=endpoint_id)
    services.webhook_endpoint_remove(actor=actor, endpoint=endpoint)
    return Status(204, None)
