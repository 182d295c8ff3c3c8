"""Settings for Falsifiable, read from the environment (see .env.example).

Debug is off unless DJANGO_DEBUG says otherwise; with debug off a secret key must be
given. The database defaults to a SQLite file in var/, tuned for concurrent writers.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: local database, generated secret key


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")


def local_secret_key() -> str:
    """A key generated once per checkout, so local sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local use, set DJANGO_DEBUG=1 and a key is generated)."
        )
    SECRET_KEY = local_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "predictions",
    "groups",
    "comments",
    "sources",
    "reports",
    "notifications",
    "demo",
    "operations",
    "api",
    # django-ninja: its docs page then loads Swagger UI from our static files, not a CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "operations.middleware.HealthCheckMiddleware",  # /healthz, before any session read
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "predictions.login_gate.LoginGateMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "predictions.middleware.HtmxLoginRedirectMiddleware",
    "predictions.middleware.UserTimezoneMiddleware",
    "predictions.middleware.PrivateCacheMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into a 429
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.csp",
                "predictions.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
            "builtins": ["web.template_dates"],  # `date` for any stored year
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'falsifiable.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL: each app-server process keeps a bounded psycopg pool instead of one
# connection per thread, so N servers x W workers open at most N x W x MAX connections
# (docs/decisions/0017-several-app-servers.md). Django refuses a pool next to persistent
# connections, so CONN_MAX_AGE is 0 here: the pool, not Django, keeps them open (and,
# with CONN_HEALTH_CHECKS, checks each one as it is handed out).
# DJANGO_DB_POOL_MAX=0 turns the pool off (e.g. behind PgBouncer).
DB_POOL_MAX = int(os.environ.get("DJANGO_DB_POOL_MAX", "4"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(int(os.environ.get("DJANGO_DB_POOL_MIN", "1")), DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        # A request waits this long for a free connection, then fails instead of hanging.
        "timeout": float(os.environ.get("DJANGO_DB_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Concurrent use: readers never block the writer (WAL), writers queue instead of
    # failing at once (busy timeout), and a transaction takes the write lock at BEGIN
    # (IMMEDIATE) so it cannot deadlock upgrading from a read lock later
    # (docs/decisions/0004-sqlite-settings.md).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in throttling (docs/decisions/0009-login-throttling.md): django-axes counts failures
# in the database, so every worker and server shares them; predictions.login_gate
# serialises check, password and count per user name, and limits an address on its own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt unchecked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# One address cannot lock out everyone: the lock is per user name *and* client address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # clears only that user name from that address
# Attempts while locked are refused unchecked and not counted, so the lock ends when the
# page said it would, however often an attacker knocks.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "predictions.login_gate.lockout_response"
AXES_CLIENT_IP_CALLABLE = "predictions.login_gate.client_address"
AXES_USERNAME_CALLABLE = "predictions.login_gate.attempted_username"
AXES_VERBOSE = False
# Failures from one address across all user names (password spraying) before that
# address is refused too; higher than the per-name limit, as many people may share one.
FALSIFIABLE_LOGIN_ADDRESS_LIMIT = int(os.environ.get("DJANGO_LOGIN_ADDRESS_LIMIT", "50"))
# Proxies in front of the app that append the client's address to X-Forwarded-For; their
# entries alone are trusted. DJANGO_BEHIND_PROXY=1 is the one TLS proxy the README shows.
FALSIFIABLE_TRUSTED_PROXY_HOPS = 1 if env_bool("DJANGO_BEHIND_PROXY") else 0

# Email verification links (predictions.verification) are valid this long.
FALSIFIABLE_EMAIL_VERIFICATION_SECONDS = 3 * 24 * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "predictions:list"
# The demo account `manage.py load_demo` creates (demo/account.py); the landing page
# offers it when it exists. Its password is public: the demo holds sample data only.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "falsifiable-demo"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"  # filled by collectstatic in production
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# One cache for several app servers (dashboard numbers, charts, login throttling) when
# DJANGO_CACHE_URL names a Redis; per-process memory otherwise.
cache_url = os.environ.get("DJANGO_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
        if cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "falsifiable"}
    )
}

# Email (Django 6.1 mailers): the console unless an SMTP host is configured.
if os.environ.get("DJANGO_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["DJANGO_EMAIL_HOST"],
                "port": int(os.environ.get("DJANGO_EMAIL_PORT", "587")),
                "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Falsifiable <noreply@localhost>")

# Security. A strict policy: scripts and styles only from our own origin, so no inline
# script can run even if something slipped past escaping.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from hx-headers, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("DJANGO_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads (imports) beyond this size are refused with a message.
FALSIFIABLE_MAX_UPLOAD_BYTES = int(os.environ.get("FALSIFIABLE_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
# Background jobs (large imports, scheduled work): Django's tasks framework with the
# database backend, so SQLite needs no extra service. `manage.py db_worker` runs them.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Imports (docs/decisions/0014-import-jobs.md): uploaded files wait in the "imports"
# storage between upload, check and import, so every app server and worker must see the
# same one. The default is a private directory (0700, refused if another user owns it or
# others may write to it); any Django storage backend can replace it.
STORAGES["imports"] = {
    "BACKEND": "reports.imports.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": os.environ.get("FALSIFIABLE_IMPORT_DIR") or str(VAR_DIR / "imports")},
}
# Uploads waiting for a check, a confirmation or their import, per user.
FALSIFIABLE_MAX_PENDING_IMPORTS = int(os.environ.get("FALSIFIABLE_MAX_PENDING_IMPORTS", "3"))
# Files up to this size are checked and imported within the request; larger ones by a job.
FALSIFIABLE_IMPORT_INLINE_BYTES = int(
    os.environ.get("FALSIFIABLE_IMPORT_INLINE_BYTES", 1024 * 1024)
)
# The daily clean-up (notifications/cleanup.py) deletes finished job records this old.
FALSIFIABLE_FINISHED_JOBS_KEEP_DAYS = int(
    os.environ.get("FALSIFIABLE_FINISHED_JOBS_KEEP_DAYS", "14")
)
# The site's address, for absolute links in reminder emails.
FALSIFIABLE_BASE_URL = os.environ.get("FALSIFIABLE_BASE_URL", "")
# Title autofill refuses loopback/private addresses; tests alone may allow loopback.
FALSIFIABLE_FETCH_ALLOW_LOOPBACK = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# API (api/throttle.py): requests per token per window.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
API_RATE_WINDOW_SECONDS = int(os.environ.get("API_RATE_WINDOW_SECONDS", "60"))
