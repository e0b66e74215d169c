from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What an operator runs the service by: the load balancer's health and readiness checks, Prometheus
    metrics, JSON log lines with a request id (docs/deployment.md). It reads the worker's heartbeat, sharing's
    outbox, clocks, the audit chain's head and the sign-in lockout's records, so it sits beside insight, above
    them (docs/decisions/0013-app-layers.md). No models of its own."""

    name = "openmash.operations"
