"""/healthz tells the truth about the database, the cache and the broker, answers HEAD, answers a probe by IP
address or over plain HTTP under production's host and HTTPS rules, and says nothing that helps an attacker.

(With a real Redis stopped and frozen: tests/outages/test_redis_down.py.)
"""

import pytest
from django.test import Client as DjangoClient
from django.test import RequestFactory, override_settings

from accounts.platform.service_health import HealthzMiddleware
from config.celery_app import app as celery_app

NOTHING_LISTENS = "redis://127.0.0.1:1/0"  # port 1: connections are refused at once
REDIS_NOBODY_RUNS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": NOTHING_LISTENS,
                                 "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
PRODUCTION_RULES = {"ALLOWED_HOSTS": ["ops.example.com"], "SECURE_SSL_REDIRECT": True,
                    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


@pytest.fixture
def broker_nobody_runs():
    """The Celery app queues to a broker where nothing listens (and not eagerly)."""
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    conf.update(broker_url=NOTHING_LISTENS, task_always_eager=False)
    try:
        yield
    finally:
        conf.update(saved)


def test_healthz_reports_the_database_and_in_process_cache_and_tasks(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "in-process", "broker": "in-process"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_broker_is_unreachable(db, client, broker_nobody_runs):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "in-process",
                               "broker": "unreachable"}


@override_settings(CACHES=REDIS_NOBODY_RUNS)
def test_healthz_is_503_when_a_redis_cache_is_unreachable(db, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable",
                               "broker": "in-process"}


@pytest.mark.parametrize("degraded", [False, True])
def test_head_gets_the_same_status_and_no_body(db, request, degraded):
    if degraded:
        request.getfixturevalue("broker_nobody_runs")
    # Straight to the middleware: the test client would drop a HEAD response's body itself.
    answer = HealthzMiddleware(get_response=None)
    response = answer(RequestFactory().head("/healthz"))
    assert response.status_code == (503 if degraded else 200)
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_not_allowed(db, client, method):
    response = getattr(client, method)("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@override_settings(**PRODUCTION_RULES)
@pytest.mark.parametrize("host", ["10.0.0.5", "10.0.0.5:8000", "[2001:db8::5]", "ops.example.com"])
def test_a_probe_by_ip_address_over_plain_http_gets_its_answer_under_production_rules(db, host):
    response = DjangoClient().get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@override_settings(**PRODUCTION_RULES)
def test_every_other_path_still_keeps_production_host_and_https_rules(db):
    client = DjangoClient()
    assert client.get("/api/v1/stores/", HTTP_HOST="10.0.0.5").status_code == 400  # DisallowedHost
    redirected = client.get("/api/v1/stores/", HTTP_HOST="ops.example.com")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://ops.example.com/api/v1/stores/"
    assert client.get("/healthz/", HTTP_HOST="10.0.0.5").status_code == 400  # only the probe's own path


def test_the_report_says_nothing_but_its_fixed_words(db, client, broker_nobody_runs):
    response = client.get("/healthz")
    body = response.json()
    assert set(body) == {"status", "database", "cache", "broker"}
    assert set(body.values()) <= {"ok", "degraded", "unreachable", "in-process"}
    assert b"127.0.0.1" not in response.content
    assert "Server" not in response
