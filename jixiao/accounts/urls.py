from django.urls import path

from jixiao.accounts import views, views_admin, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("password/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("users/", views_admin.user_list, name="user_list"),
    path("users/new/", views_admin.user_create, name="user_create"),
    path("users/<int:pk>/", views_admin.user_edit, name="user_edit"),
    path(
        "users/<int:pk>/reset-password/",
        views_admin.user_reset_password,
        name="user_reset_password",
    ),
    path("tokens/", views_tokens.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token_revoke"),
    path("security/", views_admin.security_settings, name="security_settings"),
    path("security/unlock/", views_admin.security_unlock, name="security_unlock"),
    path(
        "security/<int:pk>/reset-two-factor/",
        views_admin.security_reset_two_factor,
        name="security_reset_two_factor",
    ),
]
