from django.urls import path

from openmash.people import views

app_name = "people"
urlpatterns = [
    path("people/", views.search, name="search"),
    path("people/new/", views.create, name="create"),
    # people:record, the record page, is added after these by openmash/urls.py from chronology/urls.py.
]
