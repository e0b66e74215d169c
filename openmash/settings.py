"""OpenMASH settings, all from environment variables, read in this one module.

Bad values fail at start-up rather than at the first request: a safeguarding
service that starts half-configured is worse than one that does not start.
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r})")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more (got {raw!r})")
    return value


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if "*" in items:
        raise ImproperlyConfigured(f"{name} may not contain '*': name each host this service answers to")
    return items


VAR_DIR = Path(os.environ.get("OPENMASH_VAR_DIR", Path.cwd() / "var")).resolve()
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
EMBEDDED = DATABASE_URL == ""

DEBUG = _env_bool("OPENMASH_DEBUG", False)
# Database triggers that refuse UPDATE and DELETE on audit entries. Only the test settings turn them off,
# because the test database is emptied between browser tests (tests/settings.py).
AUDIT_APPEND_ONLY_TRIGGERS = _env_bool("OPENMASH_AUDIT_TRIGGERS", True)
DEMO = _env_bool("OPENMASH_DEMO", False)


def _secret_key() -> str:
    key = os.environ.get("OPENMASH_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("OPENMASH_SECRET_KEY must be at least 32 characters")
        return key
    if not EMBEDDED:
        raise ImproperlyConfigured("OPENMASH_SECRET_KEY is required when DATABASE_URL is set")
    # Embedded default only: a secret generated once for this machine and kept beside the database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _audit_key() -> bytes:
    """The key of the audit trail's keyed hashes and checkpoints, kept out of the database so that whoever
    can write to the database still cannot write entries that verify (docs/decisions/0011)."""
    key = os.environ.get("OPENMASH_AUDIT_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("OPENMASH_AUDIT_KEY must be at least 32 characters")
        if key == SECRET_KEY:
            raise ImproperlyConfigured("OPENMASH_AUDIT_KEY must not be the same as OPENMASH_SECRET_KEY")
        return key.encode()
    if not EMBEDDED:
        raise ImproperlyConfigured("OPENMASH_AUDIT_KEY is required when DATABASE_URL is set")
    # Embedded default only, as the secret key is: generated once for this machine, beside the database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "audit_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip().encode()


AUDIT_KEY = _audit_key()
# Signed checkpoints of the audit chain's head, appended by `openmash audit checkpoint` and the worker. In
# production, a file on other storage than the database's (docs/deployment.md).
AUDIT_CHECKPOINTS = Path(
    os.environ.get("OPENMASH_AUDIT_CHECKPOINTS", "").strip() or VAR_DIR / "audit-checkpoints.jsonl"
).resolve()
AUDIT_CHECKPOINT_SECONDS = float(os.environ.get("OPENMASH_AUDIT_CHECKPOINT_SECONDS", "60"))

# Uploaded files (Philomena profile photos). Never served from a public address: only through pages and
# endpoints that ask the access policy first, so there is no MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("OPENMASH_MEDIA_DIR", "").strip() or VAR_DIR / "media").resolve()
PHILOMENA_PHOTO_MAX_BYTES = _env_int("OPENMASH_PHOTO_MAX_BYTES", 5 * 1024 * 1024)

ALLOWED_HOSTS = _env_list("OPENMASH_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env_list("OPENMASH_CSRF_TRUSTED_ORIGINS", [])


def _sqlite(path: Path) -> dict:
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                # IMMEDIATE: every transaction takes the write lock at BEGIN, so concurrent writers
                # queue on the busy timeout instead of failing on a lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
                # FULL, not NORMAL: a committed notification must survive a power cut (docs/decisions).
                # A 64 MB page cache (default 2 MB) keeps the indexes a recorded event touches in memory.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=-65536;"
                ),
            },
            # Kept open between requests: opening one reads the whole schema and empties the page cache.
            "CONN_MAX_AGE": 600,
            "TEST": {"NAME": VAR_DIR / "test-openmash.sqlite3"},
        }
    }


def _databases() -> dict:
    if EMBEDDED:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return _sqlite(VAR_DIR / "openmash.sqlite3")
    if DATABASE_URL.startswith("sqlite:///"):
        # Another SQLite file (for instance a second process sharing a test database).
        return _sqlite(Path(DATABASE_URL.removeprefix("sqlite:///")))
    try:
        config = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj_database_url raises several kinds; all mean the same to an operator
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {error}") from error
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:/// URL")
    # A request waits at most 5 s for a lock, then answers 503 with Retry-After instead of hanging.
    options = config.setdefault("OPTIONS", {})
    options["options"] = "-c lock_timeout=5000 -c statement_timeout=30000"
    # Values sent apart from the statement (bound on the server) and statements run often prepared once a
    # connection: the server then neither parses nor plans the same query again, and psycopg does not quote
    # every value into the text in Python (decision 0010).
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", 5)
    return {"default": config}


DATABASES = _databases()

# A PostgreSQL read replica for the heavy reads of measures (lib/replica.py, docs/deployment.md). A second SQLite
# file is accepted too, for the tests that prove the routing.
REPLICA_URL = os.environ.get("OPENMASH_REPLICA_URL", "").strip()
if REPLICA_URL:
    if REPLICA_URL.startswith("sqlite:///"):
        DATABASES["replica"] = _sqlite(Path(REPLICA_URL.removeprefix("sqlite:///")))["default"]
    else:
        try:
            DATABASES["replica"] = dj_database_url.parse(
                REPLICA_URL, conn_max_age=60, conn_health_checks=True
            )
        except Exception as error:  # as for DATABASE_URL
            raise ImproperlyConfigured(
                f"OPENMASH_REPLICA_URL is not a usable database URL: {error}"
            ) from error
        if DATABASES["replica"].get("ENGINE") != "django.db.backends.postgresql":
            raise ImproperlyConfigured("OPENMASH_REPLICA_URL must be a postgres:// or sqlite:/// URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["openmash.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "ninja",
    "openmash.organisations",
    "openmash.accounts",
    "openmash.audit",
    "openmash.people",
    "openmash.matching",
    "openmash.access",
    "openmash.events",
    "openmash.sharing",
    "openmash.clocks",
    "openmash.meetings",
    "openmash.casework",
    "openmash.recording",
    "openmash.worker",
    "openmash.missing",
    "openmash.chronology",
    "openmash.insight",
    "openmash.inspections",
    "openmash.backup",
    "openmash.retention",
    "openmash.operations",
    "openmash.subjectaccess",
    "openmash.philomena",
    "openmash.vetting",
    "openmash.merging",
    "openmash.web",
    "openmash.api",
    "openmash.demo",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id, and the time measured is nearly all of it.
    "openmash.operations.middleware.request_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so that static files keep their caching and everything else is not stored.
    "openmash.web.middleware.no_store_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openmash.web.middleware.SignInRequiredMiddleware",
    "openmash.web.middleware.SessionEndMiddleware",
    "openmash.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "openmash.web.middleware.NotFoundMiddleware",
]

ROOT_URLCONF = "openmash.urls"
ASGI_APPLICATION = "openmash.asgi.application"
WSGI_APPLICATION = "openmash.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openmash.web.context_processors.navigation",
                "openmash.web.context_processors.session_timeout",
            ],
            "builtins": ["openmash.web.templatetags.openmash"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Lockout after repeated failures, per account: a new address gets no fresh attempts, and behind a load
# balancer (where every client could share one address) a lock by address would lock everyone. The address is
# kept as the second signal: in axes' records and in each failure's audit entry (docs/deployment.md).
AXES_FAILURE_LIMIT = _env_int("OPENMASH_SIGN_IN_FAILURE_LIMIT", 5)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("OPENMASH_SIGN_IN_FAILURE_LIMIT must be 1 or more")
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# The proxies in front of the service that append to X-Forwarded-For (the load balancer: 1). 0 ignores the
# header, so a client reached directly cannot choose the address recorded for it.
TRUSTED_PROXY_COUNT = _env_int("OPENMASH_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "openmash.accounts.addresses.client_address"
# axes warns when the address is not among the lockout's keys: here that is the choice made above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "OpenMASH"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session lasts a working shift from sign-in. Every page warns this long before it ends, in a dialog whose
# "Stay signed in" starts the time again (WCAG 2.2.1; at least 20 seconds, GOV.UK suggests a few minutes).
SESSION_COOKIE_AGE = _env_int("OPENMASH_SESSION_SECONDS", 8 * 60 * 60)
SESSION_WARNING_SECONDS = _env_int("OPENMASH_SESSION_WARNING_SECONDS", 5 * 60)
if SESSION_COOKIE_AGE < 60 or SESSION_WARNING_SECONDS < 20 or SESSION_WARNING_SECONDS >= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "OPENMASH_SESSION_SECONDS must be 60 or more, and OPENMASH_SESSION_WARNING_SECONDS at least 20 and less"
    )
SESSION_COOKIE_SECURE = _env_bool("OPENMASH_SECURE_COOKIES", not (DEBUG or EMBEDDED))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a load balancer that ends TLS, a request is secure when the balancer says so. Only then: otherwise
# anyone could send the header over plain HTTP.
BEHIND_TLS_PROXY = _env_bool("OPENMASH_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS (sent on secure requests only): a year wherever cookies are secure, that is wherever HTTPS is meant.
SECURE_HSTS_SECONDS = _env_int("OPENMASH_HSTS_SECONDS", 365 * 24 * 60 * 60 if SESSION_COOKIE_SECURE else 0)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from django.utils.csp import CSP  # noqa: E402  (settings need the constant, not the app)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = (
    VAR_DIR / "static"
)  # only for `collectstatic` behind a separate web server; whitenoise serves the app folders
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders: no collectstatic step between a fresh clone and a running service.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Deliveries are an outbox table emptied by `openmash worker` (docs/decisions/0006-delivery-outbox.md).
# A worker's claim on a delivery lasts this long; a worker that dies is replaced after it runs out.
# Matching a person at intake (openmash.matching; issue 14). At or above LINK a record is linked without
# asking (if the given name and date of birth agree at some level); at or above REVIEW a person decides.
MATCHING_MODEL = Path(
    os.environ.get("OPENMASH_MATCHING_MODEL", "").strip() or PACKAGE_DIR / "matching" / "model.json"
)
MATCHING_LINK = float(os.environ.get("OPENMASH_MATCHING_LINK", "0.95"))
MATCHING_REVIEW = float(os.environ.get("OPENMASH_MATCHING_REVIEW", "0.5"))
if not 0 < MATCHING_REVIEW <= MATCHING_LINK < 1:
    raise ImproperlyConfigured("OPENMASH_MATCHING_REVIEW and _LINK must be probabilities with REVIEW <= LINK")
# Off: intake links people by id and verified identifier only, every other person is recorded new (for
# measuring what matching costs, or an area that links only in batches with `openmash people dedupe`).
MATCHING_AT_INTAKE = _env_bool("OPENMASH_MATCHING_AT_INTAKE", True)
DELIVERY_LEASE_SECONDS = float(os.environ.get("OPENMASH_DELIVERY_LEASE_SECONDS", "60"))

# Webhook endpoints must be https; plain http is allowed only to this machine (127.0.0.1, ::1, localhost), and
# only where this is on: in debugging and in the test suite, whose stand-in receivers listen on loopback.
WEBHOOK_HTTP_LOOPBACK = _env_bool("OPENMASH_WEBHOOK_HTTP_LOOPBACK", DEBUG)


def _networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(
            ipaddress.ip_network(part.strip()) for part in os.environ.get(name, "").split(",") if part.strip()
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} must be networks like 10.20.0.0/16, separated by commas"
        ) from error


# Private networks webhook endpoints may be on (an agency's own network): none unless listed. Public addresses
# are always allowed; every other private, loopback or link-local address is refused (sharing.channels.address_not_allowed).
WEBHOOK_PRIVATE_NETWORKS = _networks("OPENMASH_WEBHOOK_PRIVATE_NETWORKS")

# Readiness (/readyz, openmash.operations): a worker must have beaten within this many seconds, and fewer than
# this many deliveries may be waiting.
READY_WORKER_SECONDS = _env_int("OPENMASH_READY_WORKER_SECONDS", 60)
READY_BACKLOG_MOST = _env_int("OPENMASH_READY_BACKLOG", 5000)
if READY_BACKLOG_MOST < 1 or READY_WORKER_SECONDS < 1:
    raise ImproperlyConfigured("OPENMASH_READY_BACKLOG and OPENMASH_READY_WORKER_SECONDS must be 1 or more")
# How often the worker works out again the national comparison of the dashboard's standard periods
# (openmash.insight.jobs; docs/architecture.md), in minutes.
NATIONAL_COMPARISON_MINUTES = _env_int("OPENMASH_NATIONAL_COMPARISON_MINUTES", 15)
if NATIONAL_COMPARISON_MINUTES < 1:
    raise ImproperlyConfigured("OPENMASH_NATIONAL_COMPARISON_MINUTES must be 1 or more")
# Prometheus metrics (/metrics): answered to these networks (loopback by default) or to this bearer token.
METRICS_ALLOW = (
    _networks("OPENMASH_METRICS_ALLOW")
    if "OPENMASH_METRICS_ALLOW" in os.environ
    else (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
)
# The worker's own metrics (deliveries tried by channel and outcome) on this port; 0: not served.
WORKER_METRICS_PORT = _env_int("OPENMASH_WORKER_METRICS_PORT", 0)
WORKER_METRICS_ADDRESS = os.environ.get("OPENMASH_WORKER_METRICS_ADDRESS", "").strip() or "127.0.0.1"
METRICS_TOKEN = os.environ.get("OPENMASH_METRICS_TOKEN", "").strip()
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("OPENMASH_METRICS_TOKEN must be at least 32 characters")

# Log lines: JSON objects, one a line, each with its request's id (openmash.operations.logs;
# docs/deployment.md, "Logs"); OPENMASH_LOG_FORMAT=plain for reading by eye on a developer's machine.
LOG_FORMAT = os.environ.get("OPENMASH_LOG_FORMAT", "json").strip().lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("OPENMASH_LOG_FORMAT must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "openmash.operations.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "openmash.operations.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("OPENMASH_LOG_LEVEL", "INFO")},
    # SQL with its values (DEBUG) is never logged: the values are children's details.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # A failing readiness check is one line of /readyz's own (operations.views), not a traceback a probe.
        "health_check": {"level": "ERROR"},
    },
}

# Organisations require a second factor unless the organisation's own setting says otherwise; the demo
# data turns it off for its made-up organisations so that the demo sign-ins work without a phone.
SERVICE_NAME = "OpenMASH"
