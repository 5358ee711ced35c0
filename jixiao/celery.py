"""Celery application.

Production runs separate workers on Redis (`celery -A jixiao worker`); the embedded
default runs tasks in-process (CELERY_TASK_ALWAYS_EAGER), so nothing else is needed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

app = Celery("jixiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
