"""Prometheus metrics (prometheus_client): the requests this process answered, counted and timed by route,
and the service's state read from the database when Prometheus scrapes (``OpenMashCollector``). What the
worker did (deliveries by channel and outcome) is the worker's own metrics (worker/metrics.py).

django-prometheus was the first choice; its releases declare Django < 6.1, so the two metrics it would give
here (requests and their latency by view) are made with prometheus_client directly, by one small middleware
(operations.middleware) that costs a request a few microseconds.

Several server processes (``openmash serve --workers N``): set PROMETHEUS_MULTIPROC_DIR to an empty
directory before they start, and /metrics adds up every process's request metrics (prometheus_client's
multiprocess mode); without it each process reports its own (docs/deployment.md).
"""

import os
from collections.abc import Iterator

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from openmash.operations import selectors
from openmash.sharing.models import Channel, DeliveryStatus

REQUESTS = Counter(
    "openmash_http_requests",
    "Requests answered, by route (the URL pattern, not the path), method and status code",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "openmash_http_request_duration_seconds",
    "Time to answer a request in this process, by route and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class OpenMashCollector(Collector):
    """The service's state, read when scraped (operations.selectors.figures: a few indexed queries)."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        figures = selectors.figures()
        backlog = GaugeMetricFamily(
            "openmash_delivery_backlog", "Deliveries waiting to be delivered, by channel", labels=["channel"]
        )
        dead = GaugeMetricFamily(
            "openmash_delivery_dead_letters",
            "Deliveries given up after repeated failures (stuck until replayed), by channel",
            labels=["channel"],
        )
        found = figures.stuck_or_waiting
        for channel in Channel.values:
            backlog.add_metric([channel], found.get((channel, DeliveryStatus.PENDING), 0))
            dead.add_metric([channel], found.get((channel, DeliveryStatus.DEAD), 0))
        yield backlog
        yield dead
        yield GaugeMetricFamily(
            "openmash_delivery_backlog_oldest_age_seconds",
            "Age of the oldest delivery still waiting (0 when none waits)",
            value=figures.backlog_oldest.total_seconds() if figures.backlog_oldest is not None else 0,
        )
        clocks = GaugeMetricFamily(
            "openmash_clocks_overdue", "Open clocks past their due time, by rule", labels=["rule"]
        )
        for rule, count in sorted(figures.overdue_clocks.items()):
            clocks.add_metric([rule], count)
        yield clocks
        yield GaugeMetricFamily(
            "openmash_shares_overdue",
            "Shares not acknowledged by their deadline",
            value=figures.overdue_shares,
        )
        escalations = CounterMetricFamily(
            "openmash_escalations",
            "Escalations raised: level 1 to team managers, level 2 to the partnership",
            labels=["level"],
        )
        for level in (1, 2):
            escalations.add_metric([str(level)], figures.escalations.get(level, 0))
        yield escalations
        yield GaugeMetricFamily(
            "openmash_audit_chain_length", "Entries in the audit chain", value=figures.audit_chain_length
        )
        yield GaugeMetricFamily(
            "openmash_sign_in_failures",
            "Failed sign-ins the lockout holds (cleared by a success or when the lockout ends)",
            value=figures.sign_in_failures,
        )
        yield GaugeMetricFamily(
            "openmash_sign_in_locked_out_accounts",
            "Accounts locked out after repeated failed sign-ins",
            value=figures.locked_out,
        )
        silence = figures.worker_silence
        yield GaugeMetricFamily(
            "openmash_worker_heartbeat_age_seconds",
            "Seconds since any worker last beat (+Inf when none ever has)",
            value=silence.total_seconds() if silence is not None else float("inf"),
        )


_state = CollectorRegistry(auto_describe=False)
_state.register(OpenMashCollector())


def metrics_exposition() -> bytes:
    """The text Prometheus scrapes: this process's (or every server process's) request metrics and the
    Python runtime's, then the service's state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)  # type: ignore[no-untyped-call]
        requests = generate_latest(processes)
    else:
        requests = generate_latest(REGISTRY)
    return requests + generate_latest(_state)
