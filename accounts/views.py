from django.conf import settings
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST


def _broker_status():
    """'ok', 'unreachable', or 'in-process' when tasks run eagerly with no broker."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "in-process"
    from config.celery_app import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure to connect is "unreachable", never a 500
        return "unreachable"


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: database and broker reachability. 200 when both work, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001
        database = "unreachable"
    broker = _broker_status()
    healthy = database == "ok" and broker in ("ok", "in-process")
    return JsonResponse({"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
                        status=200 if healthy else 503)


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in person's choice is saved for the next visit and emails."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/admin/"
    response = HttpResponseRedirect(next_url)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax", secure=request.is_secure())
        user = request.user
        if user.is_authenticated and user.language != language:
            user.language = language
            user.save(update_fields=["language"])
    return response
