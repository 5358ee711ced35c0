from django.urls import path

from jixiao.scoring import views, views_rules, views_versions

app_name = "scoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("compute/", views.compute, name="compute"),
    path("rules/", views_rules.rules_index, name="rules"),
    path(
        "rules/categories/<int:category_id>/",
        views_rules.category_rules_edit,
        name="rules_category",
    ),
    path("rules/years/<int:year>/", views_rules.year_rules_edit, name="rules_year"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/compare/", views_versions.compare, name="compare"),
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>/gaps/", views.acknowledge_gaps, name="acknowledge_gaps"),
    path("runs/<int:pk>/audience/", views.audience, name="audience"),
    path("runs/<int:pk>/rankings/", views.rankings, name="rankings"),
    path("runs/<int:pk>/rankings/<int:category_id>/", views.rankings, name="rankings_category"),
    path("runs/<int:pk>/statistics/", views.statistics, name="statistics"),
    path("runs/<int:pk>/department/", views.department, name="department"),
    path("runs/<int:pk>/units/<int:unit_id>/", views.card, name="card"),
    path("runs/<int:pk>/units/<int:unit_id>/explain/", views.explanation, name="explain"),
    path("runs/<int:pk>/units/<int:unit_id>/card.pdf", views.card_pdf, name="card_pdf"),
    path("runs/<int:pk>/cards.pdf", views.cards_pdf, name="cards_pdf"),
    path("runs/<int:pk>/results.xlsx", views.export_xlsx, name="export_xlsx"),
]
