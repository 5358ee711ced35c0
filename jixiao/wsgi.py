import os
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
application: Any = get_wsgi_application()

if settings.PUBLIC_ONLY and settings.PUBLIC_FAST_INTAKE:
    # The internet-facing server: a tap takes the lean path (evaluation/fast_intake.py).
    from jixiao.evaluation.fast_intake import FastIntake

    application = FastIntake(application)

if not settings.PUBLIC_ONLY:
    # Embedded mode has no Celery beat: one app server process runs the schedule instead.
    from jixiao.core.scheduler import start_embedded_scheduler

    start_embedded_scheduler()
