"""The URL configuration of a public-only app server (settings.PUBLIC_ONLY): the
satisfaction rating pages and nothing else, not even the login page."""

from django.urls import include, path

urlpatterns = [path("r/", include("jixiao.evaluation.urls_public"))]

handler404 = "jixiao.evaluation.views_public.not_found"
handler500 = "jixiao.evaluation.views_public.server_error"
