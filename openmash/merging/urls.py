from django.urls import path

from openmash.merging import views

app_name = "merging"
urlpatterns = [
    path("possible-duplicates/", views.review_list, name="reviews"),
    path("possible-duplicates/<uuid:review_id>/", views.review_detail, name="review"),
    path("people/<uuid:person_id>/linked-records/", views.merge_list, name="merges"),
]
