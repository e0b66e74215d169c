from django.urls import path

from openmash.retention import views

urlpatterns = [
    path("retention/", views.retention_settings, name="settings"),
    path("retention/<slug:rule>/", views.retention_setting_change, name="change"),
]
