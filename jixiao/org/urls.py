from django.urls import path

from jixiao.org import views

app_name = "org"

urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("new/", views.organization_create, name="organization_create"),
    path("import/", views.organization_import, name="organization_import"),
    path("export.xlsx", views.organization_export, name="organization_export"),
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
    path("years/", views.year_list, name="year_list"),
    path("years/<int:pk>/", views.year_detail, name="year_detail"),
    path("years/<int:pk>/make-current/", views.year_make_current, name="year_make_current"),
    path("years/<int:year_pk>/enroll/", views.enrollment_edit, name="enrollment_create"),
    path("years/<int:year_pk>/enroll/<int:pk>/", views.enrollment_edit, name="enrollment_edit"),
]
