import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
application = get_wsgi_application()

# Embedded mode has no Celery beat: one app server process runs the schedule instead.
from jixiao.core.scheduler import start_embedded_scheduler  # noqa: E402

start_embedded_scheduler()
