from django.contrib import admin
from django.urls import include, path

from openmash.api.api import api


def _public(urls):
    """The API authenticates with its own bearer tokens, not the session: exempt it from sign-in redirects."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace


urlpatterns = [
    # First: the API's requests are the most numerous, and Django tries the patterns in order.
    path("api/v1/", _public(api.urls)),
    path("", include(("openmash.web.urls", "web"))),
    path("", include(("openmash.accounts.urls", "accounts"))),
    path("", include(("openmash.people.urls", "people"))),
    path("", include(("openmash.access.urls", "access"))),
    path("", include(("openmash.events.urls", "events"))),
    path("", include(("openmash.sharing.urls", "sharing"))),
    path("", include(("openmash.chronology.urls", "chronology"))),
    path("", include(("openmash.meetings.urls", "meetings"))),
    path("", include(("openmash.clocks.urls", "clocks"))),
    path("", include(("openmash.casework.urls", "casework"))),
    path("", include(("openmash.philomena.urls", "philomena"))),
    path("", include(("openmash.vetting.urls", "vetting"))),
    path("", include(("openmash.missing.urls", "missing"))),
    path("", include(("openmash.merging.urls", "merging"))),
    # The Django admin is for system administrators (is_staff) only; organisations use /administration/.
    path("system-admin/", admin.site.urls),
]
