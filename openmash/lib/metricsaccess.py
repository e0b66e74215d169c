"""Who may read Prometheus metrics: an address on an allowed network, or whoever sends the bearer token. One
rule for the app's /metrics (operations.views) and the worker's own metrics port (worker.metrics)."""

import hmac
import ipaddress
from collections.abc import Iterable

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def metrics_access(*, address: str, authorization: str, networks: Iterable[Network], token: str) -> int:
    """200 to answer; 403 for a credential that is wrong (or sent where none is configured); 404 for anyone
    else, who is told nothing is there."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if token and scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode()):
            return 200
        return 403
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return 404
    return 200 if any(client in network for network in networks) else 404
