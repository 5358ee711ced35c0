"""The URL configuration of a public-only app server (settings.PUBLIC_ONLY): the public
pages without login — the satisfaction rating (/r/) and the 群众反映 window (/c/) — and
nothing else, not even the login page."""

from django.urls import include, path

urlpatterns = [
    path("r/", include("jixiao.evaluation.urls_public")),
    path("c/", include("jixiao.complaints.urls_public")),
]

handler404 = "jixiao.evaluation.views_public.not_found"
handler500 = "jixiao.evaluation.views_public.server_error"
