"""Settings for CSP Action Plan.

One module, driven by environment variables (see `.env.example`). Bad or missing values fail at
start-up with a message that says what to set, never later in a request.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    # Development only: DEBUG is on, so this key never protects real sessions.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Two-step sign-in: time-based codes from an authenticator app, and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The product's apps, each depending only on those listed before it (docs/architecture.md).
    "partners",
    "priorities",
    "notifications",
    "actions",
    "tracking",
    "lifecycle",
    "planfiles",
    "reports",
    "people",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files (compressed, cached for ever) straight from gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public plan pages, for visitors who are not signed in, straight from the cache before
    # the rest of the stack runs (lifecycle/public_cache.py).
    "lifecycle.middleware.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the signed-in person has given their two-step code (request.user.is_verified()),
    # and, where the installation asks for it, the code asked for before any page.
    "django_otp.middleware.OTPMiddleware",
    "people.middleware.TwoStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A published version altered after publication is refused with a page saying so.
    "lifecycle.middleware.RefuseAlteredVersionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses logins for a username and address locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "csp_plan.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "csp_plan.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address Django can use: {exc}"
    ) from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite under several requests at once: a transaction takes the write lock when it begins
    # (IMMEDIATE), so two saves queue for it instead of one failing half-way with "database is
    # locked"; a waiting request waits up to SQLITE_BUSY_TIMEOUT seconds; readers do not block
    # the writer (write-ahead log).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "POSTGRES_JIT", default=False
):
    # PostgreSQL's JIT compiler suits long reports, not a page's short queries: it starts when
    # the planner's estimate is high, and with a country's data (1,500 plans) it made "My updates
    # due" take 4–6 s instead of 0.15 s, all of it compiling (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# British English, UK time, dates written "1 May 2021" (see csp_plan/formats/).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["csp_plan.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production sets STATIC_MANIFEST=true: `collectstatic` then writes compressed copies with hashed
# names that browsers may cache for ever. Off by default, because pages cannot be rendered with it
# until `collectstatic` has run (the tests and `make run` never run it). See docs/deployment.md.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=False)
# Until `collectstatic` has run (development, tests) there is no STATIC_ROOT: WhiteNoise then
# looks files up at each request instead of indexing the folder once at start (and warning).
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.is_dir()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


def cache_from_url(url: str) -> dict:
    """A CACHES entry from CACHE_URL: locmem:// (the default, one per process), dummy:// (no
    cache) or redis://host:6379/0 (shared by every app server; needs the `redis` package)."""
    scheme = url.split("://", 1)[0].lower()
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "csp-plan"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in ("redis", "rediss"):
        try:
            import redis  # noqa: F401
        except ImportError:
            raise ImproperlyConfigured(
                "CACHE_URL names Redis, but the `redis` package is not installed: "
                "pip install redis, or leave CACHE_URL unset for the local-memory cache."
            ) from None
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with locmem://, dummy://, redis:// or rediss:// (got {url!r})."
    )


# The cache holds the rendered public plan pages (lifecycle/public_cache.py). With the default
# local-memory cache (one per process) each kept page is checked by one small query; with a shared
# cache (CACHE_URL=redis://…, needed by several app servers: docs/deployment.md) by one round trip
# to the cache, every server seeing every publication at once. REDIS_URL is read when CACHE_URL is
# not set.
CACHES = {
    "default": cache_from_url(
        os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "locmem://"
    )
    | {"KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "")}
}
# How long a rendered public page is kept, in seconds (0: never cached).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 600)
# How a kept public page is known to be fresh: "query" (one query per request; the default with
# the local-memory cache) or "generation" (a token in the shared cache that every change replaces;
# the default with Redis). Empty: chosen by the cache.
PUBLIC_CACHE_FRESHNESS = os.environ.get("PUBLIC_CACHE_FRESHNESS", "").strip().lower()
if PUBLIC_CACHE_FRESHNESS not in ("", "query", "generation"):
    raise ImproperlyConfigured(
        f"PUBLIC_CACHE_FRESHNESS must be query or generation (got {PUBLIC_CACHE_FRESHNESS!r})."
    )
if PUBLIC_CACHE_FRESHNESS == "generation" and not (
    os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
).startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "PUBLIC_CACHE_FRESHNESS=generation needs a cache shared by every process "
        "(CACHE_URL=redis://…): with a cache per process a change would not reach the others."
    )

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console in development; SMTP settings from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CSP Action Plan <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_FILE_PATH"):
    # With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per sending.
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
# The site's address, for links in e-mails sent outside a request (reminders, notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background tasks (notification e-mails) through Django's tasks framework (the django-tasks
# backport of Django 6's django.tasks). TASKS_BACKEND chooses where they queue:
# - db (default): in the database, run by `manage.py db_worker` (docs/deployment.md);
# - immediate: run at once in the process that queues them (after the transaction commits);
#   no worker, no retry with back-off: for tests and trials only;
# - rq: in Redis (REDIS_URL), run by `manage.py rqworker --job-class django_tasks_rq.Job`; needs
#   the django-tasks-rq package, for large installations.
TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db").strip().lower() or "db"
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)} (got {TASKS_BACKEND!r})."
    )
if TASKS_BACKEND == "rq":
    try:
        import django_rq  # type: ignore[import-not-found]  # noqa: F401
        import django_tasks_rq  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "TASKS_BACKEND=rq needs the django-tasks-rq package: pip install django-tasks-rq "
            "(docs/deployment.md), or set TASKS_BACKEND=db."
        ) from None
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"}}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

# A live draft's PDF is drawn while its member waits only up to this many actions (about 25 ms
# of CPU each); above it, the page says to use the Word document. Published versions' PDFs are
# drawn once, in the background (lifecycle/published_files.py), whatever their size.
DRAFT_PDF_MAX_ACTIONS = env_int("DRAFT_PDF_MAX_ACTIONS", 150)

# The largest plan file (CSV, XLSX or Word) accepted for import, in bytes.
PLAN_FILE_MAX_BYTES = env_int("PLAN_FILE_MAX_BYTES", 5 * 1024 * 1024)
# The most one part of a Word document may unpack to, in bytes: a decompression bomb stops here.
PLAN_FILE_MAX_PART_BYTES = env_int("PLAN_FILE_MAX_PART_BYTES", 10 * PLAN_FILE_MAX_BYTES)

# Uploaded files (the Strategic Assessment's PDF). Never served as public media URLs: each file is
# sent by a view that asks the permission rules first (priorities/assessment_views.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
# The largest Strategic Assessment PDF accepted, in bytes.
ASSESSMENT_MAX_UPLOAD_BYTES = env_int("ASSESSMENT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# The largest figures file (CSV) `import_figures` reads, in bytes.
FIGURES_FILE_MAX_BYTES = env_int("FIGURES_FILE_MAX_BYTES", 5 * 1024 * 1024)


# -- Security (OWASP ASVS level 1, level 2 where cheap). Production sets HTTPS=true; each setting
# can be overridden on its own. `manage.py check --deploy` is clean with HTTPS=true.
HTTPS = env_bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env_bool("BEHIND_PROXY", default=False):
    # The reverse proxy terminates TLS and says so in this header (see docs/deployment.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after this much inactivity (each request renews the clock).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True

# Content Security Policy (django-csp 4): our own files only, no inline script or style.
# Bootstrap's stylesheet draws its form controls' icons as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): failures are counted per username AND address together, so
# nobody can lock an officer out from elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "operations.security.client_ip"
# Coming back from the organisation's sign-in page (single sign-on, below) is no password guess:
# django-axes neither counts nor locks it. The organisation's provider protects its own passwords,
# and an office's shared address is not locked because people there are still waiting for approval.
AXES_WHITELIST_CALLABLE = "people.oidc.is_organisation_sign_in"


# -- Single sign-on: people sign in with their organisation's account (OpenID Connect, through
# mozilla-django-oidc; docs/deployment.md shows Microsoft Entra ID). Off unless OIDC_ISSUER is set.
# The provider's endpoints and keys come from its discovery document (OIDC_ISSUER +
# /.well-known/openid-configuration), read at the first sign-in and kept for an hour.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
SSO_BUTTON_LABEL = (
    os.environ.get("OIDC_BUTTON_LABEL", "").strip() or "Sign in with your organisation's account"
)
if OIDC_ISSUER:
    if not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set, so single sign-on is on: set OIDC_CLIENT_ID and "
            "OIDC_CLIENT_SECRET too (the application's registration at your provider)."
        )
    if not (
        OIDC_ISSUER.startswith("https://")
        or (DEBUG and OIDC_ISSUER.startswith(("http://127.0.0.1", "http://localhost")))
    ):
        raise ImproperlyConfigured(
            f"OIDC_ISSUER must be the provider's https:// address (got {OIDC_ISSUER!r})."
        )
    AUTHENTICATION_BACKENDS.append("people.oidc.OrganisationAccountBackend")
# The ID token's signature algorithm (Microsoft Entra ID and most providers: RS256).
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256").strip()
OIDC_RP_SCOPES = "openid email profile"
# The code exchange is bound to this browser (PKCE) as well as by the state and the nonce.
OIDC_USE_PKCE = True
# Seconds to wait for the provider before telling the person it did not answer.
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)


# -- Two-step sign-in for people who sign in with a password (django-otp): a code from an
# authenticator app, or a recovery code, after the password. REQUIRE_TWO_FACTOR says for whom:
# "admins" (staff and superusers), "coordinators", both ("admins,coordinators"), or "all"; empty
# (the default) asks nobody. People who sign in with their organisation's account are never asked:
# their organisation does it.
TWO_FACTOR_GROUPS = ("admins", "coordinators", "all")
REQUIRE_TWO_FACTOR = frozenset(item.lower() for item in env_list("REQUIRE_TWO_FACTOR"))
if REQUIRE_TWO_FACTOR - set(TWO_FACTOR_GROUPS):
    raise ImproperlyConfigured(
        "REQUIRE_TWO_FACTOR must be empty, or one or more of admins, coordinators, all "
        f"separated by commas (got {os.environ['REQUIRE_TWO_FACTOR']!r})."
    )
# The name the authenticator app shows beside the code.
OTP_TOTP_ISSUER = "CSP Action Plan"
# Wrong codes are throttled as passwords are (LOGIN_FAILURE_LIMIT wrong codes in
# LOGIN_LOCKOUT_MINUTES: people/two_step.py), not by django-otp's own growing delays, which
# would refuse a right code after a wrong one without saying why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The admin lists people's devices without their secrets. Deleting someone's authenticator app
# there resets their two-step sign-in: they set up the app again when they next sign in.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
