from django.urls import path

from jixiao.monitoring import views, views_board

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("targets/", views.targets, name="targets"),
    path("targets/export/", views.targets_export, name="targets_export"),
    path("targets/import/", views.targets_import, name="targets_import"),
    path("targets/act/", views.targets_act, name="targets_act"),
    path("<str:year>/progress/<str:month>/", views.progress, name="progress"),
    path("evidence/<str:pk>/", views.evidence_file, name="evidence"),
    path("<str:year>/rules/", views.rules, name="rules"),
    path("<str:year>/lights/", views_board.matrix, name="matrix"),
    path("<str:year>/mine/", views_board.unit_lights, name="unit_lights"),
    path("<str:year>/report/<str:month>/", views_board.report_page, name="report"),
    path("<str:year>/report/<str:month>/publish/", views_board.publish, name="publish"),
    path("<str:year>/report/<str:month>/export/", views_board.report_export, name="report_export"),
    path("<str:year>/board/", views_board.board, name="board"),
]
