from django.urls import path

from jixiao.observers import views

app_name = "observers"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/return/", views.return_view, name="return"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/remove/", views.remove_photo, name="remove_photo"),
    path("points/", views.points, name="points"),
    path("points/<int:pk>/toggle/", views.point_toggle, name="point_toggle"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/<int:pk>/remove/", views.unassign, name="unassign"),
    path("reports/", views.overview, name="overview"),
    path("reports/<int:unit_pk>/", views.report, name="report"),
]
