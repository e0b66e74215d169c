from django.urls import path

from openmash.vetting import views

app_name = "vetting"
urlpatterns = [
    path("vetting/", views.request_list, name="list"),
    path("vetting/new/", views.request_new, name="new"),
    path("vetting/backlog/", views.backlog, name="backlog"),
    path("vetting/<uuid:request_id>/", views.request_detail, name="detail"),
]
