from django.urls import path

from openmash.missing import views

app_name = "missing"
urlpatterns = [
    path("missing/", views.home, name="home"),
    path("missing/returned/", views.returned, name="returned"),
    path("missing/list/", views.missing_list, name="list"),
    path("missing/patterns/", views.patterns, name="patterns"),
    path("missing/repeat-missing/", views.repeat_setting, name="repeat-setting"),
    path("people/<uuid:person_id>/missing/new/", views.report, name="report"),
    path("people/<uuid:person_id>/missing/", views.child_episodes, name="child"),
    path("missing/episodes/<uuid:episode_id>/", views.episode, name="episode"),
    path("missing/episodes/<uuid:episode_id>/found/", views.found, name="found"),
    path("missing/episodes/<uuid:episode_id>/risk/", views.risk, name="risk"),
    path("missing/episodes/<uuid:episode_id>/updates/", views.update, name="update"),
    path("missing/episodes/<uuid:episode_id>/safe-and-well/", views.safe_and_well, name="safe-and-well"),
    path("missing/episodes/<uuid:episode_id>/return-interview/offer/", views.offer, name="offer"),
    path("missing/episodes/<uuid:episode_id>/return-interview/answer/", views.answer, name="answer"),
    path("missing/episodes/<uuid:episode_id>/return-interview/outcome/", views.outcome, name="outcome"),
]
