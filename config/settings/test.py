"""The test suite: fast hashing, in-memory mail, eager tasks unless a test starts a real worker."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_DATA_ALLOWED = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# A worker of the integration tests retries an email the mail server deferred within seconds, not minutes.
ALERTS_EMAIL_RETRY_DELAYS = [1, 1, 2, 2, 3]
# The worker of the integration tests sends the alert emails as soon as their evaluation commits.
ALERTS_NOTICE_GATHER_SECONDS = env.int("ALERTS_NOTICE_GATHER_SECONDS", default=0)
# Throttling is exercised by its own tests with low rates; the fuzzer and the tests of wrong keys (which share one
# address and one cache) must not trip it.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"caller": "100000/min",  # noqa: F405
                                                               "api_key_failure": "100000/min"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# On SQLite (DATABASE_URL unset) the test database is a file, one per test run, rather than Django's in-memory
# default, so that a Celery worker process started by the integration tests reads the very rows the test
# committed. pytest-django creates and deletes it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"storehealth-test-{os.getpid()}.sqlite3"),
    }

# Files (appeal documents, metrics imports) go to a private folder of this test run, which the worker processes the
# integration tests start find through the environment.
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / f"storehealth-media-{os.getpid()}"))
MEDIA_ROOT = os.environ["DJANGO_MEDIA_ROOT"]
if STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):  # noqa: F405
    _local = {**STORAGES["default"], "OPTIONS": {**STORAGES["default"]["OPTIONS"], "location": MEDIA_ROOT}}  # noqa: F405
    STORAGES = {**STORAGES, "default": _local, "documents": _local}  # noqa: F405
