from django.urls import path

from openmash.insight import area_views, views

app_name = "insight"
urlpatterns = [
    path("inspections/<int:inspection_id>/", views.inspection, name="inspection"),
    path("areas/", area_views.area_home, name="area-home"),
    path("areas/<str:code>/", area_views.area, name="area"),
    path("areas/<str:code>/findings/", area_views.findings, name="findings"),
    path("areas/<str:code>/lists/<slug:key>/", area_views.area_list, name="area-list"),
    path("measures/definitions/", area_views.definitions, name="definitions"),
]
