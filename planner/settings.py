"""Settings for the session planner, read from environment variables (see .env.example)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def database_from_url(url):
    """Turn DATABASE_URL into a Django DATABASES entry (SQLite or PostgreSQL only)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return sqlite_database(BASE_DIR / path if path else BASE_DIR / "db.sqlite3")
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Django's built-in psycopg 3 pool; pooled connections must not be persistent.
            "CONN_MAX_AGE": 0,
            # Each pooled connection is checked (a round trip) before a request gets it, so a
            # connection PostgreSQL dropped (restart, pg_terminate_backend) is replaced, not
            # handed out to fail.
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # A server that does not answer is given up on after a few seconds, not minutes.
                "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 3),
                "pool": {
                    # A worker serves one request at a time: one connection is kept, a few more
                    # only if threads ask. Few idle connections also means few dead ones to
                    # check through after PostgreSQL drops them (each failed check backs off).
                    "min_size": 1,
                    "max_size": env_int("DATABASE_POOL_SIZE", 4),
                    # Waiting for a free connection: seconds, then a 503 (planner.views.errors).
                    "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
                },
            },
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:// or postgres://, not {url!r}")


def sqlite_database(path):
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
            # the start of a transaction so concurrent writers wait instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


def dev_secret_key():
    """A random key kept beside the project, so a fresh checkout runs without configuration."""
    path = BASE_DIR / ".dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or dev_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A form sent from a page opened before the last sign-in: said in words, in the app's layout.
CSRF_FAILURE_VIEW = "planner.views.errors.csrf_failure"

# Behind a TLS-terminating reverse proxy in production: HTTPS=true turns on every secure setting.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies in front of the app (addresses or networks, comma separated). Only a request
# that arrives from one of them has its X-Forwarded-For believed, for lockouts and the access log.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A session ends after SESSION_IDLE_MINUTES without activity (a warning comes a minute before), and
# at the latest SESSION_COOKIE_AGE seconds after sign-in however active it is.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15)
if SESSION_IDLE_MINUTES < 2:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 2 (the warning comes a minute before)")
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "protocols",
    "clients",
    "planner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "planner.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "planner.middleware.IdleTimeoutMiddleware",
    "planner.middleware.LoginRequiredMiddleware",
    "planner.middleware.TwoFactorPendingMiddleware",
    "planner.middleware.PasswordChangeRequiredMiddleware",
    "planner.middleware.ClientArchivedMiddleware",
    "planner.middleware.StaleVersionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a refused sign-in of a locked account into the sign-in page with the reason.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles and images from this site only, nothing
# inline. Data URIs are Bootstrap's own form-control icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The index condition_attention_noted carries INCLUDE columns for PostgreSQL's index-only scans;
# SQLite builds it without them, which is all this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

ROOT_URLCONF = "planner.urls"
WSGI_APPLICATION = "planner.wsgi.application"

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
                "planner.context_processors.roles",
                "planner.context_processors.idle_timeout",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else sqlite_database(BASE_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses any password, the right one too, for a locked username.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with permissions read in the same query as the roles.
    "clients.roles.RoleBackend",
]
# Sign-in lockouts (django-axes, see planner/lockout.py): 5 failures for one username from one
# address lock that pair for 15 minutes; 20 from any addresses lock the username everywhere.
# Clinic admins see and lift locks on the Team page.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "planner.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "planner.lockout.locked_out"
# The same address the access log records: X-Forwarded-For only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "clients.access.client_ip"
AXES_RESET_ON_SUCCESS = True
# A lock lasts its 15 minutes: attempts while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Who must sign in with a second factor (django-otp: an authenticator app, with recovery codes):
# "admins" (clinic admins), "everyone", or "off". Anyone may turn it on for themselves at /accounts/mfa/.
MFA_REQUIRED = os.environ.get("MFA_REQUIRED") or ("admins" if HTTPS else "off")
if MFA_REQUIRED not in ("admins", "everyone", "off"):
    raise ImproperlyConfigured(f"MFA_REQUIRED must be admins, everyone or off, not {MFA_REQUIRED!r}")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Session planner")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "planner:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders too, so a fresh checkout needs no collectstatic to look right.
WHITENOISE_USE_FINDERS = True

# The address under which this clinic's FHIR resources and code systems are named (no trailing
# slash): resource URLs are FHIR_BASE_URL/Patient/client-12, our codes FHIR_BASE_URL/CodeSystem/....
FHIR_BASE_URL = os.environ.get("FHIR_BASE_URL", "http://localhost:8000/fhir").rstrip("/")

# Attached documents (clearance letters, lab reports) are kept here, outside the web root and never
# served as static files: only a permission-checked view reads them. Back this folder up with the database.
ATTACHMENTS_DIR = Path(os.environ.get("ATTACHMENTS_DIR") or BASE_DIR / "private" / "attachments")
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
