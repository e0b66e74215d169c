from django.urls import path

from openmash.subjectaccess import views

app_name = "subjectaccess"
urlpatterns = [
    path("subject-access/", views.requests, name="requests"),
    path("subject-access/export/", views.export, name="export"),
    path("subject-access/<uuid:export_id>/", views.exported, name="exported"),
    path("subject-access/<uuid:export_id>/download.<str:format>", views.download, name="download"),
]
