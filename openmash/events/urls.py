from django.urls import path

from openmash.events import views

app_name = "events"
urlpatterns = [
    path("incidents/domestic-abuse/new/", views.incident_create, name="incident-create"),
    path(
        "people/<uuid:person_id>/events/<str:kind>/new/",
        views.person_event_create,
        name="person-event-create",
    ),
]
