"""Require the second factor where the user's organisation requires it."""

from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in person may reach before completing the second factor.
_OPEN_PREFIXES = ("/sign-in", "/sign-out", "/static/", "/api/", "/accessibility", "/help", "/health")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.organisation.requires_two_factor
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two-factor')}?next={request.get_full_path()}")
        return self.get_response(request)
