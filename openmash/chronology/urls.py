from django.urls import path

from openmash.chronology import record, views

app_name = "chronology"
urlpatterns = [
    path("people/<str:person_id>/chronology/", views.chronology, name="chronology"),
    path("people/<str:person_id>/chronology.csv", views.chronology_csv, name="csv"),
    path("people/<str:person_id>/chronology.pdf", views.chronology_pdf, name="pdf"),
]

# The person's record page, under the people namespace (people:record, after people/new/): see openmash/urls.py.
person_record_urlpatterns = [path("people/<str:person_id>/", record.person_record, name="record")]
