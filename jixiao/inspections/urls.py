from django.urls import path

from jixiao.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.edit, name="new"),
    path("import/", views.plan_import, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/act/", views.act, name="act"),
    path("violations/", views.violations, name="violations"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
    path("calendar/<int:pk>/remove/", views.calendar_remove, name="calendar_remove"),
    path("settings/", views.registry_settings, name="settings"),
]
