from django.urls import path

from jixiao.verification import views, views_duties

app_name = "verification"

urlpatterns = [
    path("", views.index, name="index"),
    path("draw/", views.draw, name="draw"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("checks/<int:pk>/redraw/", views.redraw, name="redraw"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/finding/", views.finding, name="finding"),
    path("items/<int:pk>/correction/", views.correction_action, name="correction_action"),
    path("items/<int:pk>/<str:kind>/<int:file_pk>/", views.item_file, name="item_file"),
    path("results/", views.results_page, name="results"),
    path("results/apply/", views.apply_accuracy, name="apply_accuracy"),
    path("flags/", views.flags_page, name="flags"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("flags/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("duties/", views_duties.duties_page, name="duties"),
    path("duties/units/<int:unit_pk>/", views_duties.duty_unit, name="duty_unit"),
    path("duties/<int:pk>/link/", views_duties.duty_link, name="duty_link"),
    path("negative/", views_duties.negative_list, name="negative"),
    path("negative/<int:pk>/record/", views_duties.negative_record, name="negative_record"),
]
