from django.urls import path

from openmash.sharing import views

app_name = "sharing"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/stream/", views.inbox_stream, name="inbox-stream"),
    path("shares/<str:share_id>/", views.share_detail, name="share"),
    path("submissions/", views.submissions, name="submissions"),
    path("deliveries/stuck/", views.stuck, name="stuck"),
    path("deliveries/<int:delivery_id>/replay/", views.replay, name="replay"),
]
