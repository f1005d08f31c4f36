"""Settings shared by every environment.

Every value comes from the environment (12-factor) with a safe local default. The README lists the
variables; `local`, `test` and `production` only adjust what differs.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from config.redis_databases import BROKER, CACHE, RESULTS, redis_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The back-office's public origin, for the links of emails (the daily digest), which are written by tasks with no
# request to take the host from.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# How many reverse proxies in front of the service append to X-Forwarded-For (0: clients connect directly).
# Lockout and throttling read the client's address through them (accounts.platform.client_address).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    # First, so that its admin templates (agency and language switchers, platform banner) override the theme's.
    "accounts",
    # The admin's theme (django-unfold) before Django's admin, whose templates it replaces; its contrib apps style
    # the filters, the import/export pages and the audit trail. Every asset it needs ships in its static files.
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's files, served by us (no CDN) for /api/docs/.
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    # The domain apps, in the order of their layers (each imports only those before it; import-linter checks).
    "documents",
    "health",
    "alerts",
    "cases",
    "reviews",
]

MIDDLEWARE = [
    # First: answers /healthz to probes by IP address or plain HTTP, before the host check and the HTTPS redirect.
    "accounts.platform.service_health.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body or a query parameter: bounds every body, refuses NUL in query parameters.
    "accounts.platform.request_limits.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An /api/ address that matches no route: the API's JSON 404, with DEBUG on too (handler404 is for DEBUG off).
    "accounts.platform.api.exceptions.ApiNotFoundMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.AgencyScopeMiddleware",
    # After the caller is known: a person signed in with a one-time password goes to the password-change page.
    "accounts.platform.one_time_password.OneTimePasswordMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]
# Messages carry secrets shown once (a new API key, an invitation's link), so they are kept on the server, in the
# database-backed session, never in a cookie: a signed cookie is readable by whoever holds it.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.agency",
            ],
        },
    },
]

# SQLite when DATABASE_URL is unset (demo, quick start); PostgreSQL (psycopg 3) when it is set.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the write lock from the start of their transaction (and wait for it up to 20 s) instead of
    # failing with "database is locked" halfway: two identical creates at once then meet the unique constraint,
    # which the services answer on the field, as on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.platform.one_time_password.NotTheOneTimePasswordValidator"},
]
LOGIN_URL = "admin:login"
# The theme's sign-in page posts no "next" of its own: a sign-in from a bare /admin/login/ lands on the overview.
LOGIN_REDIRECT_URL = "admin:index"
# "Forgotten your password?": at most this many emails to one address within an hour (the page answers the same).
PASSWORD_RESET_EMAILS_PER_HOUR = env.int("PASSWORD_RESET_EMAILS_PER_HOUR", default=3)
# `loaddemo` creates people who share a printed, documented password: only the local and test settings allow it
# (not DEBUG, which says how errors are shown, not whether this is a sandbox; the test suite runs without it).
DEMO_DATA_ALLOWED = False
# The audit trail is a record, not an undo button: past versions are shown, never restored over services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Brute-force lockout (accounts.platform.signin): this many failures for one login (however spelled) from one
# client address locks that pair for AXES_COOLOFF; SIGNIN_ADDRESS_FAILURE_LIMIT failures from one address over
# any logins (password spraying) lock the address for every login. The address is read through the trusted
# proxies only (TRUSTED_PROXY_COUNT).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.platform.signin.SigninLockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.platform.signin.normalised_login"
AXES_CLIENT_IP_CALLABLE = "accounts.platform.client_address.limit_address"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# The lockout page names the product and how long the lock lasts (accounts.lockout).
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
# The product's catalogue first; then the Chinese of the admin theme's strings (django-unfold ships none), kept
# apart because makemessages rewrites the product's catalogue from our own sources only.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "theme"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))

# Appeal documents are private: the default storage is a local folder outside the static tree that no
# URL serves directly. Set STORAGE_BACKEND=s3 (and the AWS_* variables) for any S3 API.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
# Seconds a presigned download URL of an S3 store lives (documents.storage caps it at 15 minutes).
DOCUMENTS_URL_LIFETIME = env.int("DOCUMENTS_URL_LIFETIME", default=15 * 60)
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", default=""),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "querystring_expire": min(DOCUMENTS_URL_LIFETIME, 15 * 60),
            # Signature version 4: the only one buckets created since 2020 (and Aliyun OSS's S3 API) accept.
            "signature_version": env("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None, "file_permissions_mode": 0o600},
    }
STORAGES = {
    "default": _default_storage,
    # The appeal documents' files (documents.storage): the same private place, under keys of their own.
    "documents": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis serves as Celery's broker, its result backend and the cache (throttling) when configured, each in a
# database of its own derived from REDIS_URL's (config.redis_databases): clearing the cache never drops a task.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL and redis_database_url(REDIS_URL, BROKER))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND",
                            default=(REDIS_URL and redis_database_url(REDIS_URL, RESULTS)) or None)
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=REDIS_URL and redis_database_url(REDIS_URL, CACHE))
# A Redis that is down or does not answer must not hold a request: every client gives up after these many
# seconds (to connect, and to get an answer). The cache is asked on every API call, so it gets less.
REDIS_BROKER_SOCKET_TIMEOUT = env.float("REDIS_BROKER_SOCKET_TIMEOUT", default=3.0)
REDIS_CACHE_SOCKET_TIMEOUT = env.float("REDIS_CACHE_SOCKET_TIMEOUT", default=0.5)
# With no broker configured, tasks run in-process, at once, in the caller's thread.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Every task is idempotent (safe to run twice), so a task is acknowledged only once it is done: a worker that
# dies mid-task leaves it to another worker instead of losing it.
# With reject_on_worker_lost, a task whose worker process died under it (SIGKILL, out of memory) goes back to the
# queue at once instead of being recorded as failed; one past its hard time limit is a failure and is not rerun.
# Tasks work on bounded sets (500 stores, one agency's digest), so none kills its worker by itself, again and again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Each worker process reserves one task at a time: an evaluation of 500 stores takes seconds, and a message
# reserved behind it would wait while another worker sits idle (and counts against the visibility timeout below).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker that loses the broker stops its running tasks rather than finish them unacknowledged: the broker hands
# them out again anyway, so they would run twice at the same time (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A task past the soft limit gets SoftTimeLimitExceeded (and may clean up); past the hard limit its worker
# process is replaced. A task that needs longer sets its own limits.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
# Queueing gives up quickly when the broker is down (the request must not hang); the work is committed and the
# catch-up sends it again once the broker is back, and the periodic sweeps pick it up in any case
# (accounts.platform.tasks.enqueue_on_commit).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                                    "interval_max": 1}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a worker took but never acknowledged (the worker died with it: killed, out of memory, the machine lost)
# goes back to the queue this many seconds after it was delivered, and another worker runs it (Redis has no
# acknowledgements of its own; kombu keeps the unacknowledged messages aside and restores them). It must be longer
# than any task may run (CELERY_TASK_TIME_LIMIT) plus the longest countdown of a retry (the email tasks' backoff),
# or a task still running, or still waiting for its retry, would be handed to a second worker.
REDIS_BROKER_VISIBILITY_TIMEOUT = env.int("REDIS_BROKER_VISIBILITY_TIMEOUT", default=60 * 60)
# The emails of new red alerts wait this many seconds after the first evaluation that needs them, so that the other
# 500-store chunks of the same ingest go in the same email (alerts.notifications.notices).
ALERTS_NOTICE_GATHER_SECONDS = env.int("ALERTS_NOTICE_GATHER_SECONDS", default=20)
# Seconds the alert emails' task waits before each new attempt when the mail server asked to try again later (4xx)
# or could not be reached (alerts.notifications.delivery); after the last one the emails still unsent are failed.
# Each wait is a message a worker holds unacknowledged until its time: their total, plus CELERY_TASK_TIME_LIMIT, must
# stay well under REDIS_BROKER_VISIBILITY_TIMEOUT (15.5 minutes in all by default, against an hour).
ALERTS_EMAIL_RETRY_DELAYS = env.list("ALERTS_EMAIL_RETRY_DELAYS", cast=int, default=[30, 60, 120, 240, 480])
# A broker that accepts connections but does not answer must not hang a request either.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": REDIS_BROKER_SOCKET_TIMEOUT,
                                   "socket_timeout": REDIS_BROKER_SOCKET_TIMEOUT,
                                   "visibility_timeout": REDIS_BROKER_VISIBILITY_TIMEOUT}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_BROKER_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_BROKER_SOCKET_TIMEOUT
# The schedules of celery beat: one entry per periodic task, named "<app>.<what>", added here by the app
# that owns the task (the alerts' daily sweep and digest, the reviews' monthly drafting), e.g.
#   "alerts.sweep": {"task": "alerts.tasks.sweep_all_agencies", "schedule": crontab(minute=15)},
# A periodic task fans out to one task per agency (AgencyTask), each safe to run twice.
# Task modules beyond each app's tasks.py (which autodiscovery finds): the metrics import sits with its upload flow.
CELERY_IMPORTS = ["health.imports"]
CELERY_BEAT_SCHEDULE = {
    # Last month's review opens on the 1st at 01:00 in each agency's time zone; every 15 minutes the agencies whose
    # moment has come and whose cycle is not open yet open it (idempotent; a missed beat is caught up that day).
    "reviews.open_cycles": {"task": "reviews.tasks.open_due_cycles", "schedule": crontab(minute="*/15")},
    # Every store of every active agency evaluated again, daily (05:30 Beijing time, before the working day).
    "health.sweep": {"task": "health.tasks.sweep_all_agencies", "schedule": crontab(hour=5, minute=30)},
    # Documents that stayed in the trash past their agency's days removed for good, files included (03:10 daily).
    "documents.purge_trash": {"task": "documents.tasks.purge_trash_of_all_agencies",
                              "schedule": crontab(hour=3, minute=10)},
    # Each agency's daily alert digest goes out at its own hour (AlertPolicy.digest_hour) in its own time zone: every
    # 15 minutes the agencies whose hour has come and whose digest of the day is not done send it (once a day each).
    "alerts.digest": {"task": "alerts.tasks.send_due_digests", "schedule": crontab(minute="*/15")},
    # Alerts nobody acknowledged within the agency's escalation delay are escalated once to the managers, and alert
    # emails a dead worker left unsent are sent, every 15 minutes.
    "alerts.escalate": {"task": "alerts.tasks.escalate_all_agencies", "schedule": crontab(minute="*/15")},
    # Tasks the broker could not take when a write queued them (Redis down) are sent again every minute, so that an
    # outage delays the work by minutes rather than until the daily sweep (accounts.platform.tasks.resend_unsent).
    "accounts.resend_unsent": {"task": "accounts.tasks.resend_unsent_tasks", "schedule": crontab()},
}

if REDIS_CACHE_URL:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": REDIS_CACHE_SOCKET_TIMEOUT, "socket_timeout": REDIS_CACHE_SOCKET_TIMEOUT},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.platform.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.platform.api.permissions.IsAgencyMember"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.platform.api.throttling.AgencyCallerThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "caller": env("API_THROTTLE_RATE", default="1200/min"),
        # Requests with a malformed, unknown or revoked API key, per client address (ApiKeyFailureThrottle).
        "api_key_failure": env("API_KEY_FAILURE_RATE", default="30/min"),
    },
    "DEFAULT_PARSER_CLASSES": [
        "accounts.platform.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "accounts.platform.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    # Strict: a filter value or an ordering a list does not take is a 400 naming the parameter, never ignored.
    "DEFAULT_FILTER_BACKENDS": [
        "accounts.platform.api.filters.FilterBackend",
        "accounts.platform.api.filters.SearchFilter",
        "accounts.platform.api.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "accounts.platform.api.schema.AgencyAutoSchema",
    "EXCEPTION_HANDLER": "accounts.platform.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Store health back-office API",
    "DESCRIPTION": (
        "The agency's ERP view of its stores: clients, seller accounts and (in later versions) health "
        "metrics, alerts, cases and documents. Authenticate with `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The API key scheme is described once, by accounts.platform.api.authentication.ApiKeyAuthenticationScheme.
    # Swagger UI's files come from drf-spectacular-sidecar, served by us: /api/docs/ loads nothing from elsewhere.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise fetch a validity badge from validator.swagger.io for any non-local address.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Choice sets used by several fields, named once in the schema.
    "ENUM_NAME_OVERRIDES": {
        "MetricKeyEnum": "health.metrics.CHOICES",
        "ReportStatusEnum": "health.metrics.ReportStatus",
        "SnapshotSourceEnum": "health.models.Source",
        "AlertStatusEnum": "alerts.models.Alert.Status",
        "AlertKindEnum": "alerts.rules.AlertKind",
        "CaseStatusEnum": "cases.models.SupportCase.Status",
        "CaseEventKindEnum": "cases.models.CaseEvent.Kind",
        "CaseEntryKindEnum": "cases.api.case_serializers.ENTRY_KIND_CHOICES",
        "ReviewStatusEnum": "reviews.models.StoreReview.Status",
        "LanguageEnum": "cases.models.MessageTemplate.Language",
    },
}

# The admin's theme (django-unfold). The sidebar's groups come from the apps (accounts.extensions.admin_navigation,
# gathered by accounts.platform.admin_site), not from this setting.
UNFOLD = {
    "SITE_TITLE": _("Store health back-office"),
    "SITE_HEADER": _("Store health back-office"),
    "SITE_SYMBOL": "monitor_heart",
    "SITE_URL": None,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_LANGUAGES": False,
    "SIDEBAR": {"show_search": False, "show_all_applications": False},
    # What the product adds to the theme's look (the header's tools, the platform banner, the overview).
    # The product's own styles on every admin page: the platform's, and the health app's (its overview section,
    # dashboard and store panel).
    "STYLES": [lambda request: static("accounts/admin.css"), lambda request: static("health/health.css")],
    "COLORS": {
        "primary": {
            "50": "oklch(97.7% .013 236.62)",
            "100": "oklch(95.1% .026 236.824)",
            "200": "oklch(90.1% .058 230.902)",
            "300": "oklch(82.8% .111 230.318)",
            "400": "oklch(74.6% .16 232.661)",
            "500": "oklch(68.5% .169 237.323)",
            "600": "oklch(58.8% .158 241.966)",
            "700": "oklch(50% .134 242.749)",
            "800": "oklch(44.3% .11 240.79)",
            "900": "oklch(39.1% .09 240.876)",
            "950": "oklch(29.3% .066 243.157)",
        },
    },
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds a mail server may take to connect or answer before the sending gives up (and the alert emails' task retries
# later): a task must never hang on it past its time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@localhost")

# Request bodies larger than this, of any content type, are refused (413 on the API, 400 elsewhere) by
# accounts.platform.request_limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
# An import of the admin (stores, clients) takes at most this many rows at a time; a longer file is refused as a
# whole, before any row is read into the preview (accounts.platform.spreadsheets).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)
# Daily health metrics (health.ingestion): the rows one bulk API request may carry (more is a 413), and the size of
# a metrics CSV the admin loads within the upload's request; a larger file is handed to a task (MetricsImport)
# whose progress the page shows.
HEALTH_BULK_MAX_ROWS = env.int("HEALTH_BULK_MAX_ROWS", default=5000)
# The largest file of an appeal document (bytes): a larger upload is answered 413. The body of an upload request
# may exceed DATA_UPLOAD_MAX_MEMORY_SIZE by this much plus DOCUMENTS_UPLOAD_FORM_BYTES for the form's other fields;
# files beyond FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, never held in memory.
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DOCUMENTS_UPLOAD_FORM_BYTES = env.int("DOCUMENTS_UPLOAD_FORM_BYTES", default=1024 * 1024)
HEALTH_IMPORT_INLINE_MAX_BYTES = env.int("HEALTH_IMPORT_INLINE_MAX_BYTES", default=1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint tells every step of every PDF at INFO: only its warnings are news.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
