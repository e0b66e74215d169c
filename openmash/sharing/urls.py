from django.urls import path

from openmash.sharing import views

app_name = "sharing"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/stream/", views.inbox_stream, name="inbox-stream"),
    # sharing:share, one share's page, is recording/share_page.py's: openmash/urls.py adds it here.
    path("submissions/", views.submissions, name="submissions"),
    path("deliveries/stuck/", views.stuck, name="stuck"),
    path("deliveries/<int:delivery_id>/replay/", views.replay, name="replay"),
    path("administration/webhooks/", views.webhooks, name="webhooks"),
    path("administration/webhooks/new/", views.webhook_add, name="webhook-add"),
    path("administration/webhooks/<int:endpoint_id>/test/", views.webhook_test, name="webhook-test"),
    path(
        "administration/webhooks/<int:endpoint_id>/rotate-secret/",
        views.webhook_rotate,
        name="webhook-rotate",
    ),
    path("administration/webhooks/<int:endpoint_id>/remove/", views.webhook_remove, name="webhook-remove"),
]
