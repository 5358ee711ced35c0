from django.urls import path

from jixiao.evaluation import views_ballot, views_office, views_satisfaction

app_name = "evaluation"

urlpatterns = [
    path("", views_office.round_list, name="round_list"),
    path("rounds/new/", views_office.round_create, name="round_create"),
    path("rounds/<int:pk>/", views_office.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views_office.round_edit, name="round_edit"),
    path("rounds/<int:pk>/setup/<slug:part>/", views_office.round_setup, name="round_setup"),
    path("rounds/<int:pk>/status/", views_office.round_status, name="round_status"),
    path("rounds/<int:pk>/slips.pdf", views_office.slips_pdf, name="slips"),
    path("breaches/", views_office.breaches, name="breaches"),
    path("breaches/carry/", views_office.breaches_carry, name="breaches_carry"),
    path("windows/", views_satisfaction.windows, name="windows"),
    path("windows/qr.pdf", views_satisfaction.qr_sheet, name="qr_sheet"),
    path("satisfaction/", views_satisfaction.dashboard, name="dashboard"),
    path("satisfaction/quarantine/", views_satisfaction.quarantine, name="quarantine"),
    path(
        "satisfaction/quarantine/review/",
        views_satisfaction.quarantine_review,
        name="quarantine_review",
    ),
    path("ballots/", views_ballot.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", views_ballot.ballot, name="ballot"),
    path("code/", views_ballot.code_entry, name="code_entry"),
    path("b/<path:code>/", views_ballot.code_ballot, name="code_ballot"),
]
