from django.urls import path

from jixiao.evaluation import views_public

app_name = "rate"

urlpatterns = [
    path("<path:code>/", views_public.rate, name="rate"),
]
