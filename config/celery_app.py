"""The Celery application. Workers: `make worker` (`celery -A config worker -l info`); schedules: `make beat`
(`celery -A config beat`). Its configuration is the ``CELERY_*`` settings (``config/settings/base.py``): JSON only,
acknowledged once done and given back when a worker dies, time limits, prefetch 1, the broker's visibility timeout
and the beat schedule.

A worker or beat started without ``DJANGO_SETTINGS_MODULE`` runs with the production settings, as the WSGI and
ASGI entry points do: it refuses to start without the variables production needs, rather than run quietly with
the local ones (debug on, emails printed to the console). ``manage.py``, ``make run`` and the test suite name
their settings themselves before anything imports this module.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("storehealth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
