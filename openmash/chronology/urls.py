from django.urls import path

from openmash.chronology import views

app_name = "chronology"
urlpatterns = [
    path("people/<str:person_id>/chronology/", views.chronology, name="chronology"),
    path("people/<str:person_id>/chronology.csv", views.chronology_csv, name="csv"),
    path("people/<str:person_id>/chronology.pdf", views.chronology_pdf, name="pdf"),
]
