"""A Celery worker or beat started as the README says (`celery -A config worker`), and the WSGI and ASGI
applications, run with the production settings unless DJANGO_SETTINGS_MODULE says otherwise, never quietly with
the local ones (debug on, emails printed to the console)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What `celery -A config` does first is import the app, whose configuration is Django's settings; gunicorn
# imports config.wsgi.
READ_SETTINGS = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
from config.celery_app import app
from django.conf import settings
print(json.dumps({"module": settings.SETTINGS_MODULE, "debug": settings.DEBUG,
                  "email": settings.EMAIL_BACKEND, "broker": app.conf.broker_url}))
"""

PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 30 + "a-long-random-production-secret-9876543210",
    "DJANGO_ALLOWED_HOSTS": "ops.example.com",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/storehealth",
    "REDIS_URL": "redis://queue.internal:6379/0",
}


def environment_without_settings_module(**variables):
    """This environment without DJANGO_SETTINGS_MODULE and without what production would take from it."""
    unset = {"DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "EMAIL_BACKEND", "CELERY_BROKER_URL", *PRODUCTION}
    return {**{key: value for key, value in os.environ.items() if key not in unset}, **variables}


def read_settings(env, entry_point="config.celery_app"):
    return subprocess.run([sys.executable, "-c", READ_SETTINGS, entry_point], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("entry_point", ["config.celery_app", "config.wsgi", "config.asgi"])
def test_started_without_a_settings_module_the_service_runs_with_production_settings(entry_point):
    result = read_settings(environment_without_settings_module(**PRODUCTION), entry_point)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "module": "config.settings.production",
        "debug": False,
        "email": "django.core.mail.backends.smtp.EmailBackend",
        "broker": "redis://queue.internal:6379/0",
    }


def test_a_worker_without_the_production_variables_refuses_to_start_saying_which():
    result = read_settings(environment_without_settings_module())

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_worker_told_its_settings_module_uses_it():
    result = read_settings(environment_without_settings_module(DJANGO_SETTINGS_MODULE="config.settings.local"))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["module"] == "config.settings.local"
