from django.urls import path

from jixiao.supervision import views, views_bulletin

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.task_new, name="task_new"),
    path("import/", views.task_import, name="task_import"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/act/", views.task_act, name="task_act"),
    path("tasks/<int:pk>/attach/", views.task_attach, name="task_attach"),
    path("tasks/<int:pk>/files/<int:file_pk>/", views.task_file, name="task_file"),
    path("cards/", views.card_list, name="cards"),
    path("cards/<int:pk>/revoke/", views.card_revoke, name="card_revoke"),
    path("cards/scores/", views.card_scores, name="card_scores"),
    path("rules/", views.rules, name="rules"),
    path("bulletins/", views_bulletin.bulletin_list, name="bulletins"),
    path("bulletins/<int:year>/<int:month>/", views_bulletin.bulletin, name="bulletin"),
    path(
        "bulletins/<int:year>/<int:month>/publish/",
        views_bulletin.publish,
        name="bulletin_publish",
    ),
    path(
        "bulletins/<int:year>/<int:month>/export/",
        views_bulletin.export,
        name="bulletin_export",
    ),
]
