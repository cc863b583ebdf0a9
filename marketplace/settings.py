"""Settings for the marketplace, read from the environment only.

With no environment variables the product runs embedded: SQLite in var/, a filesystem
Celery broker and result store, the console e-mail backend. DATABASE_URL and REDIS_URL
switch to PostgreSQL and Redis. The same file serves development, tests and production.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from marketplace.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MARKETPLACE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, the embedded broker and uploads live here

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "marketplace.core",
    "marketplace.accounts",
    "marketplace.catalog",
    "marketplace.trading",
    "marketplace.payments",
    "marketplace.circularity",
    "diagnostics",
    "compliance",
]

# Behind nginx, which sets X-Real-IP to the client's address (docs/deployment.md).
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
# accounts.middleware: Django's session, user and message middleware, passed through for API calls
# that send their own token.
MIDDLEWARE = [
    *(["marketplace.core.middleware.ProxiedClientAddressMiddleware"] if BEHIND_PROXY else []),
    "django.middleware.security.SecurityMiddleware",
    "marketplace.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketplace.accounts.middleware.SessionMiddleware",
    "marketplace.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "marketplace.accounts.middleware.AuthenticationMiddleware",
    "marketplace.accounts.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "marketplace.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with a health check that reads the socket before it asks the
        # server (marketplace/core/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "marketplace.core.postgresql"
        # Planning costs PostgreSQL more CPU than running the hot statements (the sale read
        # of a bid: 1.7 ms planned every time, 0.24 ms prepared; docs/benchmarks.md). With
        # server-side binding psycopg prepares a statement on its fifth run on a connection.
        # Behind a pooler in transaction mode without prepared-statement support, set
        # DB_PREPARE_THRESHOLD=off.
        prepare_off = env_str("DB_PREPARE_THRESHOLD").strip().lower() == "off"
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": None if prepare_off else env_int("DB_PREPARE_THRESHOLD", 5),
        }
else:
    # The web server and the Celery worker write to the same file: WAL lets readers run
    # beside a writer, and IMMEDIATE transactions take the write lock up front so two
    # writers queue on `timeout` instead of failing with "database is locked" mid-way.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection keeps the API-token rows it read until PostgreSQL announces a change to one
# (LISTEN; marketplace/accounts/token_cache.py). A pooler in transaction mode (PgBouncer) does
# not keep a session's LISTEN: there, set DB_KEEP_TOKEN_ROWS=false.
KEEP_TOKEN_ROWS = env_bool("DB_KEEP_TOKEN_ROWS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling, sessions stay in the database) -------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "marketplace.core.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "marketplace",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
CELERY_RESULTS_DIR = VAR_DIR / "celery" / "results"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The embedded default needs no server: messages are files in var/celery/broker. Any
    # process may send (web, seed_demo), so the folders exist before the first message.
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("broker", "results", "processed", "control"):
        (VAR_DIR / "celery" / folder).mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{CELERY_RESULTS_DIR}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_RESULT_EXPIRES = 24 * 3600
# A task is acknowledged only after it ran, and a worker killed mid-task hands it back:
# every task is written to be safe to run twice, so redelivery loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the DB connection around every task unless told to reuse it
# (bench: 12 % of a closing storm's worker time was reconnecting).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 100)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Sweepers back up the scheduled tasks: a close scheduled with an ETA can be lost with a
# broker, a deadline can pass while no worker runs. Each takes a bounded batch.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.record_heartbeat", "schedule": 60.0},
    "dispatch-outbox": {"task": "core.dispatch_outbox", "schedule": 30.0},
    "close-due-sales": {"task": "trading.sweep_due_sales", "schedule": 30.0},
    "consent-deadlines": {"task": "compliance.sweep_consent_deadlines", "schedule": 15 * 60.0},
    # Card holds lapse after about 7 days; renew bidder deposits older than 6 (fees.yaml).
    "renew-deposits": {"task": "payments.renew_deposits", "schedule": 60 * 60.0},
}

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = env_str("DEFAULT_LANGUAGE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = "JPY"
SUPPORTED_CURRENCIES = env_list("SUPPORTED_CURRENCIES", ["JPY", "USD", "EUR", "KRW", "CNY"])

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@battery-market.example")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Uploads (SDS, assay reports, raw diagnostics) are checked per type; this caps the body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace.core.api.errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "marketplace.core.api.negotiation.ContentNegotiation",
    # The client's address is REMOTE_ADDR (set from the proxy's X-Real-IP behind nginx), never
    # an X-Forwarded-For the client wrote itself: DRF would otherwise throttle by that header.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_CLASSES": [
        # anon, user and the route's action scope, in one cache read and one write
        "marketplace.core.api.throttles.RequestRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "signup": env_str("API_THROTTLE_SIGNUP", "10/hour"),
        "tokens": env_str("API_THROTTLE_TOKENS", "30/hour"),
        "bids": env_str("API_THROTTLE_BIDS", "60/minute"),
        "precheck": env_str("API_THROTTLE_PRECHECK", "60/minute"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Battery Market API",
    "DESCRIPTION": (
        "Used EV battery packs, modules and black-mass lots: listings, diagnostics, trading, "
        "payments and cross-border compliance. Authenticate with `Authorization: Token <key>` "
        "(create keys under Account → API tokens) or a browser session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: the docs must work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.core.api.schema.add_error_responses",
    ],
}

# --- Stripe ---------------------------------------------------------------------------
# No key: a local localstripe server (started by `make run` and by the tests) stands in.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
if not STRIPE_WEBHOOK_SECRET:
    if STRIPE_SECRET_KEY:
        raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = "whsec_localstripe_development"  # noqa: S105
LOCALSTRIPE_URL = env_str("LOCALSTRIPE_URL", "http://127.0.0.1:8420")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"stripe": {"level": "WARNING"}},
}
