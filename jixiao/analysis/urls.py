from django.urls import path

from jixiao.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.report, name="report"),
    path("runs/<int:pk>/quality.xlsx", views.report_xlsx, name="report_xlsx"),
    path("runs/<int:pk>/summary/", views.summary, name="summary"),
    path("runs/<int:pk>/scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/<int:sid>/", views.scenario, name="scenario"),
    path("scenarios/<int:sid>/preview/", views.preview, name="preview"),
    path("scenarios/<int:sid>/save/", views.save, name="save"),
    path("scenarios/<int:sid>/draft/", views.draft, name="draft"),
    path("scenarios/<int:sid>/delete/", views.delete, name="delete"),
    path("scenarios/compare/", views.compare_view, name="compare"),
]
