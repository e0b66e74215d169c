"""The address a request came from, for the lockout's records and the audit trail."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's own, or behind ``TRUSTED_PROXY_COUNT`` proxies the one the
    outermost proxy added to ``X-Forwarded-For``.

    Each proxy appends the address it was reached from, so only the last ``TRUSTED_PROXY_COUNT`` entries were
    written by proxies; anything to their left came from the client and may be made up. With no proxies
    trusted (the default) the header is ignored, so a client reached directly cannot choose its address.
    """
    connection = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if not trusted:
        return connection
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted:
        # Fewer entries than proxies: the request did not come through all of them.
        return connection
    return forwarded[-trusted]
