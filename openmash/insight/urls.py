from django.urls import path

from openmash.insight import views

app_name = "insight"
urlpatterns = [
    path("inspections/<int:inspection_id>/", views.inspection, name="inspection"),
]
