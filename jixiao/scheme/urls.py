from django.urls import path

from jixiao.scheme import views, views_tree

app_name = "scheme"

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("published/", views.published, name="published"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/settings/", views.scheme_settings, name="scheme_settings"),
    path("<int:pk>/validate/", views.scheme_validate, name="scheme_validate"),
    path("<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("<int:pk>/close/", views.scheme_close, name="scheme_close"),
    path("<int:pk>/diff/", views.scheme_diff, name="scheme_diff"),
    path("<int:pk>/revisions/", views.revision_list, name="revision_list"),
    path("<int:pk>/revisions/start/", views.revision_start, name="revision_start"),
    path("<int:pk>/revisions/apply/", views.revision_apply, name="revision_apply"),
    path("<int:pk>/revisions/cancel/", views.revision_cancel, name="revision_cancel"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/export.json", views.export_json, name="export_json"),
    path("<int:pk>/import/", views.scheme_import, name="scheme_import"),
    path("<int:pk>/params/", views_tree.params_fragment, name="params_fragment"),
    path("<int:pk>/indicators/new/", views_tree.indicator_create, name="indicator_create"),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/", views_tree.indicator_edit, name="indicator_edit"
    ),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/points/",
        views_tree.indicator_points,
        name="indicator_points",
    ),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/move/",
        views_tree.indicator_move,
        name="indicator_move",
    ),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/delete/",
        views_tree.indicator_delete,
        name="indicator_delete",
    ),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/<str:direction>/",
        views_tree.indicator_shift,
        name="indicator_shift",
    ),
]
