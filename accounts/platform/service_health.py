"""``/healthz``: is the service able to work? The database and the task broker, each reachable or not."""

from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_status():
    """'ok' or 'unreachable'."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception:  # noqa: BLE001 - any failure to query is "unreachable", never a 500
        return "unreachable"


def broker_status():
    """'ok', 'unreachable', or 'in-process' when tasks run eagerly with no broker."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        # The Celery app the project configured (config.celery_app), reached without importing it.
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure to connect is "unreachable", never a 500
        return "unreachable"


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: database and broker reachability. 200 when both work, 503 otherwise."""
    database, broker = database_status(), broker_status()
    healthy = database == "ok" and broker in ("ok", "in-process")
    return JsonResponse({"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
                        status=200 if healthy else 503)
