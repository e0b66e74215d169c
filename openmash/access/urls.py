from django.urls import path

from openmash.access import views

app_name = "access"
urlpatterns = [
    path("inspections/<int:inspection_id>/", views.inspection, name="inspection"),
]
