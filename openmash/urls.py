from django.contrib import admin
from django.urls import include, path

from openmash.access.urls import administration_urlpatterns
from openmash.accounts import urls as accounts_urls
from openmash.api.api import api
from openmash.chronology.urls import person_record_urlpatterns
from openmash.people import urls as people_urls
from openmash.recording.urls import share_page_urlpatterns
from openmash.sharing import urls as sharing_urls


def _public(urls):
    """The API authenticates with its own bearer tokens, not the session: exempt it from sign-in redirects."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace


urlpatterns = [
    # First: the API's requests are the most numerous, and Django tries the patterns in order.
    path("api/v1/", _public(api.urls)),
    # The load balancer's and Prometheus's (openmash.operations): no sign-in, /metrics only to those allowed.
    path("", include(("openmash.operations.urls", "operations"))),
    path("", include(("openmash.web.urls", "web"))),
    # An organisation's administration pages are access's (the policy says who administers), named accounts:*.
    path("", include((accounts_urls.urlpatterns + administration_urlpatterns, "accounts"))),
    # The record page is drawn by chronology (above what it shows) but keeps its name, people:record.
    path("", include((people_urls.urlpatterns + person_record_urlpatterns, "people"))),
    path("", include(("openmash.insight.urls", "insight"))),
    path("", include(("openmash.inspections.urls", "inspections"))),
    path("", include(("openmash.retention.urls", "retention"))),
    path("", include(("openmash.subjectaccess.urls", "subjectaccess"))),
    path("", include(("openmash.recording.urls", "events"))),
    # One share's page is recording's (acting on a share can start a clock) but keeps its name, sharing:share.
    path("", include((sharing_urls.urlpatterns + share_page_urlpatterns, "sharing"))),
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
