from django.urls import path

from openmash.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/two-factor/", views.two_factor, name="two-factor"),
    path("sign-in/locked/", views.locked_out, name="locked-out"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/password/", views.password_change, name="password-change"),
    path("administration/users/", views.users, name="users"),
    path("administration/users/new/", views.user_create, name="user-create"),
    path("administration/users/<int:user_id>/", views.user_edit, name="user-edit"),
    path("administration/organisation/", views.organisation, name="organisation"),
    path(
        "administration/api-clients/<int:client_id>/revoke/",
        views.api_client_revoke,
        name="api-client-revoke",
    ),
]
