from django.urls import path

from openmash.access import administration

# Under the accounts namespace (accounts:users, ...): openmash/urls.py joins them to accounts/urls.py's.
administration_urlpatterns = [
    path("administration/users/", administration.users, name="users"),
    path("administration/users/new/", administration.user_create, name="user-create"),
    path("administration/users/<int:user_id>/", administration.user_edit, name="user-edit"),
    path("administration/organisation/", administration.organisation, name="organisation"),
    path(
        "administration/api-clients/<int:client_id>/revoke/",
        administration.api_client_revoke,
        name="api-client-revoke",
    ),
]
