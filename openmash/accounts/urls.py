from django.urls import path

from openmash.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/two-factor/", views.two_factor, name="two-factor"),
    path("sign-in/locked/", views.locked_out, name="locked-out"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/password/", views.password_change, name="password-change"),
    # The administration pages (accounts:users, ...) are access/administration.py's, added by openmash/urls.py.
]
