from django.urls import path

from jixiao.collection.views import bonus, entries, notices, periods, queues, workspace

app_name = "collection"

urlpatterns = [
    path("", periods.period_list, name="period_list"),
    path("periods/new/", periods.period_create, name="period_create"),
    path("periods/<int:pk>/", periods.period_detail, name="period_detail"),
    path("periods/<int:pk>/edit/", periods.period_edit, name="period_edit"),
    path("periods/<int:pk>/status/", periods.period_status, name="period_status"),
    path("periods/<int:pk>/exceptions/", periods.exception_create, name="exception_create"),
    path("periods/<int:pk>/remind/<int:department_pk>/", periods.remind, name="remind"),
    path("periods/<int:pk>/batch/", periods.batch, name="batch"),
    path("periods/<int:pk>/workspace/", workspace.workspace, name="workspace"),
    path("periods/<int:pk>/workspace/preview/", workspace.preview, name="preview"),
    path("periods/<int:pk>/workspace/submit/", workspace.submit, name="submit"),
    path("periods/<int:pk>/template.xlsx", workspace.template_download, name="template"),
    path("periods/<int:pk>/upload/", workspace.upload, name="upload"),
    path("entries/<int:pk>/", entries.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/act/", entries.entry_action, name="entry_action"),
    path("entries/<int:pk>/evidence/", entries.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", entries.evidence_download, name="evidence_download"),
    path("review/", queues.review_queue, name="review_queue"),
    path("review/bulk/", queues.bulk_action, name="bulk_action"),
    path("confirm/", queues.confirm_queue, name="confirm_queue"),
    path("rechecks/", queues.recheck_queue, name="recheck_queue"),
    path("my/", queues.unit_entries, name="unit_entries"),
    path("bonus/", bonus.bonus_list, name="bonus_list"),
    path("bonus/new/", bonus.bonus_create, name="bonus_create"),
    path("bonus/<int:pk>/", bonus.bonus_detail, name="bonus_detail"),
    path("bonus/<int:pk>/act/", bonus.bonus_action, name="bonus_action"),
    path("bonus/<int:pk>/evidence/", bonus.bonus_evidence, name="bonus_evidence"),
    path("notifications/", notices.notification_list, name="notifications"),
    path("notifications/read/", notices.notification_read, name="notification_read"),
]
