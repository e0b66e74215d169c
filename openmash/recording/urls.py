from django.urls import path

from openmash.recording import correction_pages, share_page, views

app_name = "events"
urlpatterns = [
    path("incidents/domestic-abuse/new/", views.incident_create, name="incident-create"),
    path("incidents/domestic-abuse/new/check/", views.incident_check, name="incident-check"),
    path("incidents/domestic-abuse/new/<str:group>/", views.incident_people, name="incident-people"),
    path(
        "incidents/domestic-abuse/new/<str:group>/<int:number>/",
        views.incident_person,
        name="incident-person",
    ),
    path(
        "incidents/domestic-abuse/new/<str:group>/<int:number>/remove/",
        views.incident_person_remove,
        name="incident-person-remove",
    ),
    path("incidents/domestic-abuse/new/step/<str:step>/", views.incident_step, name="incident-step"),
    path(
        "people/<uuid:person_id>/events/<str:kind>/new/",
        views.person_event_create,
        name="person-event-create",
    ),
    path("people/<uuid:person_id>/correct/", correction_pages.correct_details, name="correct-details"),
    path(
        "people/<uuid:person_id>/correct/check/",
        correction_pages.correct_details_check,
        name="correct-details-check",
    ),
]

# Under the sharing namespace (sharing:share): see openmash/urls.py.
share_page_urlpatterns = [path("shares/<str:share_id>/", share_page.share_page, name="share")]
