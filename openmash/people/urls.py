from django.urls import path

from openmash.people import views

app_name = "people"
urlpatterns = [
    path("people/", views.search, name="search"),
    path("people/new/", views.create, name="create"),
    path("people/<str:person_id>/", views.record, name="record"),
]
