"""Jixiao settings: one file, every deployment choice read from the environment.

With no environment at all, Jixiao runs embedded: SQLite under ./data, tasks run
in-process, a secret key generated once into ./data. Production sets DATABASE_URL
(PostgreSQL), REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0; app servers then keep
no state of their own (sessions in the database, cache and queue in Redis, uploads
under MEDIA_ROOT on shared storage), so several can run behind a load balancer.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("JIXIAO_DATA_DIR", str(BASE_DIR / "data")))


def _embedded_secret_key() -> str:
    """A key generated once per embedded installation; production must set SECRET_KEY."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or _embedded_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS hardening is on unless explicitly told the site runs on plain HTTP (the
# embedded default on 127.0.0.1 does; `make run` sets JIXIAO_HTTPS=0).
HTTPS = env_bool("JIXIAO_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("JIXIAO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers and Prometheus ask over plain HTTP inside the data centre.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): every page loads only from our own origin.
# Scripts: files from /static/, or an inline <script nonce="{{ request.csp_nonce }}">;
# never inline event handlers (on…=), never eval. Style sheets likewise (a <style> block
# needs the nonce). Style *attributes* stay allowed: pages use a few layout ones and
# ECharts builds its tooltips with them; they cannot run code. Images also from data:
# URIs (Bootstrap draws its form controls with inline SVG). The API documentation pages
# widen this for themselves only (jixiao/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_prometheus",
    "jixiao.core",
    "jixiao.audit",
    "jixiao.org",
    "jixiao.accounts",
    "jixiao.scheme",
    "jixiao.collection",
    # Before scoring: its demo publishes the evaluation rounds the scoring demo counts.
    "jixiao.evaluation",
    # Before scoring: its demo corrects 2026-Q1 data before the demo results are computed.
    "jixiao.verification",
    "jixiao.monitoring",
    "jixiao.observers",
    "jixiao.supervision",
    "jixiao.scoring",
    "jixiao.analysis",
    "jixiao.inspections",
    "jixiao.complaints",
]

MIDDLEWARE = [
    # Counts every request (django-prometheus); its pair sits just inside Axes below.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "jixiao.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jixiao.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "jixiao.core.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jixiao.accounts.sessions.IdleRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "jixiao.audit.middleware.AuditContextMiddleware",
    "jixiao.accounts.middleware.SecurityPolicyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes must be last: it turns lockouts raised by the auth backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jixiao.urls"
WSGI_APPLICATION = "jixiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jixiao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jixiao.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'jixiao.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the embedded server and an in-process task write
    # without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # No Redis: the cache lives in the database, the one store every worker shares, so
    # the per-address login throttle counts across gunicorn workers (an in-process cache
    # gave each worker its own quota). Table made by `manage.py createcachetable`.
    CACHES = {
        "default": {
            "BACKEND": "jixiao.accounts.throttle_cache.AtomicDatabaseCache",
            "LOCATION": "jixiao_cache",
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# Celery beat (one per deployment, `celery -A jixiao beat`): reminders and housekeeping.
# Embedded (no Redis), one app server process runs the same entries in a thread instead
# (jixiao.core.scheduler, started from jixiao/wsgi.py).
JIXIAO_EMBEDDED_SCHEDULER = env_bool("JIXIAO_EMBEDDED_SCHEDULER", CELERY_TASK_ALWAYS_EAGER)
CELERY_BEAT_SCHEDULE = {
    "prune-old-jobs": {"task": "jixiao.core.tasks.prune_old_jobs", "schedule": 24 * 3600},
    "fail-stalled-jobs": {"task": "jixiao.core.tasks.fail_stalled_jobs_task", "schedule": 5 * 60},
    # Every morning at 8:30 (Asia/Shanghai): red lights the calendar turned on.
    "notify-new-red-lights": {
        "task": "jixiao.monitoring.tasks.notify_new_red_lights",
        "schedule": crontab(hour=8, minute=30),
    },
    # Red and yellow cards and reminders of supervision tasks (idempotent: hourly is safe).
    "supervision-cards": {"task": "jixiao.supervision.tasks.daily_cards", "schedule": 3600},
}

# --- Accounts and login security (MLPS level 3, 等保三级) ---
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jixiao.accounts.validators.PolicyLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jixiao.accounts.validators.CharacterClassesValidator"},
]
PASSWORD_MAX_AGE_DAYS = env_int("JIXIAO_PASSWORD_MAX_AGE_DAYS", 90)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Both read the security admin's policy (default: 5 failures lock the account 30 min).
AXES_FAILURE_LIMIT = "jixiao.accounts.security.failure_limit"
AXES_COOLOFF_TIME = "jixiao.accounts.security.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jixiao.accounts.views.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Per-address throttle on the login form, independent of the account lockout: an
# office behind one NAT address must not be locked out by one person's typos, so the
# address limit is higher than the account limit.
LOGIN_ADDRESS_RATE = env_str("JIXIAO_LOGIN_ADDRESS_RATE", "30/10m")
RATELIMIT_VIEW = "jixiao.accounts.views.throttled_response"
# axes.W006 asks for IP lockout; addresses are throttled by LOGIN_ADDRESS_RATE instead,
# because one locked address would lock out every office behind the same NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions live in the database; with Redis, reads come from the cache first (a session
# is written through to both), which saves a query on every request.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
# Idle sessions end after 30 minutes (the policy can shorten it), counted from the last
# request: accounts/sessions.py moves the deadline at most once a minute.
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Jixiao 绩效"

# --- Internationalisation: Simplified Chinese first ---
LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, so the switch reads the same in every language.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jixiao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files: all served by Jixiao, nothing from other hosts ---
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("JIXIAO_STATIC_ROOT", str(DATA_DIR / "static")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
# Production runs `collectstatic` into STATIC_ROOT (hashed, compressed names); the
# embedded default serves straight from the installed packages through WhiteNoise.
MANIFEST_STATIC = env_bool("JIXIAO_MANIFEST_STATIC", not DEBUG and bool(env_str("SECRET_KEY")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if MANIFEST_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not MANIFEST_STATIC
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# PDF report cards embed Noto Sans SC (SIL Open Font License), installed from npm, so
# Chinese renders identically on every machine without system fonts.
_NOTO_SC = NODE_MODULES / "@expo-google-fonts" / "noto-sans-sc"
PDF_FONTS = {
    "regular": _NOTO_SC / "400Regular" / "NotoSansSC_400Regular.ttf",
    "bold": _NOTO_SC / "700Bold" / "NotoSansSC_700Bold.ttf",
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"
UPLOAD_MAX_BYTES = env_int("JIXIAO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Long jobs' results (batch PDFs, exports) live in the default storage under MEDIA_ROOT;
# finished jobs older than this are forgotten with their files.
JIXIAO_JOB_KEEP_DAYS = env_int("JIXIAO_JOB_KEEP_DAYS", 7)
# A running job with no progress report for this long lost its worker and is failed.
JIXIAO_JOB_STALL_MINUTES = env_int("JIXIAO_JOB_STALL_MINUTES", 30)
# Units a process keeps of the working run's categories, and of the cards' explained ones
# (docs/results.md); each app-server worker keeps its own (docs/deployment.md, sizing).
SCORING_CACHE_UNITS = env_int("JIXIAO_SCORING_CACHE_UNITS", 20_000)
# The audit trail is kept at least 180 days (MLPS level 3); a shorter setting is refused.
# Live audit rows are never deleted by Jixiao (docs/deployment.md, "Audit retention").
AUDIT_RETENTION_MIN_DAYS = 180
AUDIT_RETENTION_DAYS = env_int("JIXIAO_AUDIT_RETENTION_DAYS", AUDIT_RETENTION_MIN_DAYS)
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"JIXIAO_AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS}: the audit trail must be kept "
        f"at least {AUDIT_RETENTION_MIN_DAYS} days (MLPS level 3)."
    )
# Every uploaded file is parsed in a child process under these limits (core/sandbox.py);
# a file that needs more is refused, never allowed to take the worker down.
PARSE_CPU_SECONDS = env_int("JIXIAO_PARSE_CPU_SECONDS", 30)
PARSE_WALL_SECONDS = env_int("JIXIAO_PARSE_WALL_SECONDS", 180)
PARSE_MEMORY_MB = env_int("JIXIAO_PARSE_MEMORY_MB", 192)
PARSE_SLOTS = env_int("JIXIAO_PARSE_SLOTS", 2)  # parses at once, per server process

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a refused token answers 401 (accounts/api_auth.py).
        "jixiao.accounts.api_auth.ServiceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jixiao.core.api.IsVerifiedUser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "jixiao.core.api.Pagination",
    "EXCEPTION_HANDLER": "jixiao.core.api_refusals.exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jixiao API",
    "DESCRIPTION": "机关绩效考核信息系统 API. Every endpoint checks the caller's role and scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["jixiao.core.api.IsVerifiedUser"],
    # Served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its refusals (400/403/404) with one body shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jixiao.core.api_refusals.document_refusals",
    ],
}

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jixiao@localhost")
JIXIAO_SITE_URL = env_str("JIXIAO_SITE_URL", "")  # e.g. https://jixiao.example.gov.cn

# --- Logs and metrics ---
# Every line carries the request id (core/request_id.py; "-" outside a request). With
# JIXIAO_LOG_JSON=1 (production: one JSON object per line, for the log collector) through
# python-json-logger; otherwise readable text.
LOG_JSON = env_bool("JIXIAO_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "jixiao.core.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_JSON else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
# /metrics (django-prometheus) answers these addresses, or a bearer token; nobody else.
METRICS_ALLOWED_IPS = env_list("JIXIAO_METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = env_str("JIXIAO_METRICS_TOKEN")

# --- Public satisfaction rating (docs/evaluation.md, docs/deployment.md) ---
# Per address: beyond BURST ratings in 10 minutes new ones are quarantined for review;
# beyond LIMIT the page asks the person to wait (nothing stored).
SATISFACTION_BURST_PER_ADDRESS = env_int("SATISFACTION_BURST_PER_ADDRESS", 20)
SATISFACTION_LIMIT_PER_ADDRESS = env_int("SATISFACTION_LIMIT_PER_ADDRESS", 200)
SATISFACTION_SAME_COMMENT = env_int("SATISFACTION_SAME_COMMENT", 3)
# The 绩效比拼 board (monitoring) without login, for an intranet screen; off by default.
MONITORING_BOARD_PUBLIC = env_bool("JIXIAO_BOARD_PUBLIC", False)
# The public 群众反映 window (docs/inspections.md, "群众反映"): per address (or device) beyond BURST
# messages in 10 minutes, or the same text beyond SAME_TEXT, new ones are quarantined
# for review; beyond LIMIT the page asks the person to wait (nothing stored).
COMPLAINT_BURST_PER_ADDRESS = env_int("COMPLAINT_BURST_PER_ADDRESS", 5)
COMPLAINT_LIMIT_PER_ADDRESS = env_int("COMPLAINT_LIMIT_PER_ADDRESS", 60)
COMPLAINT_SAME_TEXT = env_int("COMPLAINT_SAME_TEXT", 2)
# An internet-facing app server that serves only the public rating pages: its own URL
# configuration and the few middleware those pages need (no sessions, no login).
PUBLIC_ONLY = env_bool("JIXIAO_PUBLIC_ONLY", False)
# There, taps take the lean path of evaluation/fast_intake.py (0: the Django view, to compare).
PUBLIC_FAST_INTAKE = env_bool("JIXIAO_FAST_INTAKE", True)
if PUBLIC_ONLY:
    ROOT_URLCONF = "jixiao.urls_public"
    MIDDLEWARE = [
        "jixiao.core.request_id.RequestIdMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.middleware.common.CommonMiddleware",
        "jixiao.core.middleware.RefuseNulMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "csp.middleware.CSPMiddleware",
    ]
