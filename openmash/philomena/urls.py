from django.urls import path

from openmash.philomena import views

app_name = "philomena"
urlpatterns = [
    path("people/<uuid:person_id>/philomena/", views.profile, name="profile"),
    path("people/<uuid:person_id>/philomena/change/", views.profile_edit, name="edit"),
    path("people/<uuid:person_id>/philomena/photo/", views.photo, name="photo"),
]
