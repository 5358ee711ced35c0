from django.urls import path

from jixiao.audit import views, views_archive

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export.csv", views.audit_export, name="export"),
    path("archives/", views_archive.archives, name="archives"),
    path("archives/<int:pk>/", views_archive.archive_detail, name="archive"),
    path("archives/<int:pk>/download/", views_archive.archive_download, name="archive_download"),
]
