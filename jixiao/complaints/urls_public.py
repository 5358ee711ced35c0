from django.urls import path

from jixiao.complaints import views_public

app_name = "complain"

urlpatterns = [
    path("", views_public.report, name="report"),
    path("status/", views_public.lookup, name="lookup"),
]
