"""The operator's endpoints: /healthz and /readyz for load balancers, /metrics for Prometheus
(docs/deployment.md). None needs a signed-in user; /metrics answers only the addresses and token configured."""

import asyncio
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from health_check.views import HealthCheckView

from openmash.accounts.addresses import client_address
from openmash.lib.metricsaccess import metrics_access
from openmash.operations.checks import READINESS
from openmash.operations.metrics import metrics_exposition

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering: nothing else is asked (no database), so a slow database does not get
    every server process restarted."""
    return JsonResponse({"status": "ok"})


class ReadyView(HealthCheckView):
    """Ready for traffic: every check of operations.checks passes. 200 with each check's "OK", or 503 with
    each failing check named and what is wrong (django-health-check runs them; the answer is always JSON)."""

    checks = READINESS
    http_method_names = ["get", "head"]

    async def get(self, request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:  # type: ignore[override]
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        checks = {
            result.check.name: "OK" if result.error is None else result.error.message  # type: ignore[attr-defined]
            for result in results
        }
        failing = [name for name, said in checks.items() if said != "OK"]
        response = JsonResponse(
            {"status": "failing" if failing else "ok", "failing": failing, "checks": checks},
            status=503 if failing else 200,
        )
        if failing:
            # One line saying what fails, instead of Django's "Service Unavailable" at ERROR for every probe.
            logger.warning(
                "Not ready: %s",
                "; ".join(f"{name}: {checks[name]}" for name in failing),
                extra={"failing": failing},
            )
            response._has_been_logged = True  # type: ignore[attr-defined]
        return response


readyz = login_not_required(ReadyView.as_view())


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape: from an address in OPENMASH_METRICS_ALLOW (loopback by default), or with the
    bearer token OPENMASH_METRICS_TOKEN (lib/metricsaccess.py). A wrong token is refused (403); anyone else is
    told there is nothing here (404), as for any other page that is not theirs."""
    allowed = metrics_access(
        address=client_address(request),
        authorization=request.headers.get("Authorization", ""),
        networks=settings.METRICS_ALLOW,
        token=settings.METRICS_TOKEN,
    )
    if allowed == 403:
        return HttpResponse("Not allowed", status=403, content_type="text/plain")
    if allowed != 200:
        raise Http404("No metrics here")
    return HttpResponse(metrics_exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
