from django.urls import path

from openmash.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("help/", views.help_page, name="help"),
    path("session/", views.session_time_left, name="session"),
    path("session/stay-signed-in/", views.session_stay_signed_in, name="session-extend"),
    path("health/", views.health, name="health"),
]
