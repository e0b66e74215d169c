from django.urls import path

from openmash.meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meetings_list, name="list"),
    path("meetings/attendance/", views.attendance, name="attendance"),
    path("meetings/<str:meeting_id>/", views.detail, name="detail"),
    path("meetings/<str:meeting_id>/outcome/", views.outcome, name="outcome"),
    path("meetings/<str:meeting_id>/allocate/", views.allocate, name="allocate"),
    path("meetings/<str:meeting_id>/core-group/", views.core_group, name="core-group"),
    path("meetings/<str:meeting_id>/move/", views.reschedule, name="reschedule"),
    path("meetings/<str:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("meetings/<str:meeting_id>/invite/", views.invite, name="invite"),
    path("meetings/<str:meeting_id>/evidential-interview/", views.interview, name="interview"),
    path("people/<uuid:person_id>/meetings/", views.child_meetings, name="child"),
    path("people/<uuid:person_id>/meetings/new/<str:kind>/", views.schedule, name="schedule"),
    path("people/<uuid:person_id>/birth/", views.birth, name="birth"),
]
