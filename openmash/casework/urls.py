from django.urls import path

from openmash.casework import views

app_name = "casework"
urlpatterns = [
    path("joint-visits/", views.visit_list, name="visits"),
    path("joint-visits/lone/", views.lone_visit_list, name="lone-visits"),
    path("joint-visits/<str:visit_id>/", views.visit_detail, name="visit"),
    path("people/<uuid:person_id>/joint-visits/new/", views.visit_request, name="visit-request"),
    path("police-protection/", views.protection_list, name="protections"),
    path("police-protection/<str:event_id>/", views.protection_detail, name="protection"),
    path("casework/measures/", views.measures, name="measures"),
    path("casework/concerns-window/", views.concern_window, name="concern-window"),
    path("investigation-closures/", views.closure_list, name="closures"),
    path("investigation-closures/<str:closure_id>/", views.closure_detail, name="closure"),
    path(
        "people/<uuid:person_id>/investigation-closures/new/",
        views.closure_propose,
        name="closure-propose",
    ),
]
