"""``/healthz``: can the service work? The database, the cache and the task broker, each reported.

Each is ``ok``, ``unreachable``, or ``in-process`` (the cache is this process's memory, or tasks run eagerly with
no broker). The answer is 200 when every one the process needs works, else 503 with ``"status": "degraded"``;
``HEAD`` gets the same status and no body. Nothing else is said: no versions, hosts, URLs nor error texts,
which would help an attacker and not the load balancer.

A load balancer or an orchestrator probes by the machine's IP address and over plain HTTP, which production
refuses everywhere else (``ALLOWED_HOSTS``, ``SECURE_SSL_REDIRECT``). So ``HealthzMiddleware``, first in
``MIDDLEWARE``, answers ``/healthz`` before any other middleware reads the host or redirects: the probe is the
one path exempt from both, and it reads nothing from the request but its method.

Each check is bounded by its client's timeouts (``REDIS_CACHE_SOCKET_TIMEOUT``, ``REDIS_BROKER_SOCKET_TIMEOUT``),
so a Redis that hangs makes ``/healthz`` slow by seconds, never by minutes.
"""

import uuid

from celery import current_app
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

PATH = "/healthz"
OK, UNREACHABLE, IN_PROCESS = "ok", "unreachable", "in-process"


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return OK
    except Exception:  # noqa: BLE001 - any failure to query is "unreachable", never a 500
        return UNREACHABLE


def cache_status():
    """A write and a read of a key of the probe's own (probes of several processes at once must not read each
    other's); ``in-process`` for a cache in this process's memory."""
    if isinstance(caches[DEFAULT_CACHE_ALIAS], (LocMemCache, DummyCache)):
        return IN_PROCESS
    token = uuid.uuid4().hex
    key = f"healthz:{token}"
    try:
        cache.set(key, token, timeout=5)
        return OK if cache.get(key) == token else UNREACHABLE
    except Exception:  # noqa: BLE001 - any failure to talk to the cache is "unreachable", never a 500
        return UNREACHABLE


def broker_status():
    """A connection to the broker of the Celery app the project configured (``config.celery_app``)."""
    if current_app.conf.task_always_eager or not current_app.conf.broker_url:
        return IN_PROCESS
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)  # one attempt: the balancer probes again anyway
        return OK
    except Exception:  # noqa: BLE001 - any failure to connect is "unreachable", never a 500
        return UNREACHABLE


def healthz(request):
    """The report as JSON (or, for ``HEAD``, only its status)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    report = {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
    healthy = all(status in (OK, IN_PROCESS) for status in report.values())
    status = 200 if healthy else 503
    if request.method == "HEAD":
        response = HttpResponse(status=status)
    else:
        response = JsonResponse({"status": "ok" if healthy else "degraded", **report}, status=status)
    add_never_cache_headers(response)
    return response


class HealthzMiddleware:
    """Answers ``/healthz`` before the host check and the HTTPS redirect (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
