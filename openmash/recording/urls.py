from django.urls import path

from openmash.recording import share_page, views

app_name = "events"
urlpatterns = [
    path("incidents/domestic-abuse/new/", views.incident_create, name="incident-create"),
    path(
        "people/<uuid:person_id>/events/<str:kind>/new/",
        views.person_event_create,
        name="person-event-create",
    ),
]

# Under the sharing namespace (sharing:share): see openmash/urls.py.
share_page_urlpatterns = [path("shares/<str:share_id>/", share_page.share_page, name="share")]
