from django.urls import path

from openmash.inspections import views

app_name = "inspections"
urlpatterns = [
    # The team's pages.
    path("inspection-access/<int:inspection_id>/", views.inspection, name="inspection"),
    path("inspection-access/<int:inspection_id>/measures/", views.measures, name="measures"),
    path("inspection-access/<int:inspection_id>/lists/<int:number>.xlsx", views.list_download, name="list"),
    path("inspection-access/<int:inspection_id>/sample/", views.sample, name="sample"),
    # The area administrators' pages.
    path("administration/inspections/", views.grants, name="grants"),
    path("administration/inspections/new/", views.grant_inspectorate, name="grant-inspectorate"),
    path("administration/inspections/new/team/", views.grant_team, name="grant-team"),
    path("administration/inspections/new/check/", views.grant_check, name="grant-check"),
    path("administration/inspections/<int:inspection_id>/granted/", views.grant_done, name="grant-done"),
    path("administration/inspections/<int:inspection_id>/", views.grant, name="grant"),
    path("administration/inspections/<int:inspection_id>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("administration/inspections/<int:inspection_id>/looks/", views.grant_looks, name="grant-looks"),
]
