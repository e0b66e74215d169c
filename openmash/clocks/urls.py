from django.urls import path

from openmash.clocks import views

app_name = "clocks"
urlpatterns = [
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines/rules/", views.rules, name="rules"),
    path("deadlines/caseload/", views.caseload, name="caseload"),
    path("deadlines/escalations/", views.escalations, name="escalations"),
    path("deadlines/allocate/<str:work_type>/<str:work_id>/", views.allocate, name="allocate"),
    path("deadlines/school-days/", views.school_days, name="school-days"),
    path("deadlines/notifications-sent/", views.notifications, name="notifications-sent"),
    path("deadlines/rules/<str:rule_id>/", views.area_setting, name="area-setting"),
    path("deadlines/<str:clock_id>/", views.clock_detail, name="clock"),
]
