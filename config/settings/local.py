"""Developer machine and `make run`: debug on, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEMO_DATA_ALLOWED = True
