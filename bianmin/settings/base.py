"""Settings shared by every environment. Overlays: local (development), test, production."""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, ENV

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins

INSTALLED_APPS = [
    "bianmin.core.admin_site.BianminAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "bianmin.core",
    "bianmin.accounts",
    "bianmin.org",
    "bianmin.catalog",
    "bianmin.cases",
    "bianmin.ratings",
    "bianmin.duty",
    "bianmin.portal",
    "bianmin.workbench",
    "bianmin.complaints",
    "bianmin.supervision",
    "bianmin.licences",
    "bianmin.inspection",
    "bianmin.statistics",
    "bianmin.assessment",
    "bianmin.interconnect",
    "bianmin.demo",
]

MIDDLEWARE = [
    # First, so that every later layer (axes, the throttles) sees the client's address behind the proxy.
    "bianmin.core.middleware.TrustedProxyMiddleware",
    "bianmin.core.middleware.ServedByMiddleware",
    # A system token's call attributes its audit events to the token; no request inherits another's attribution.
    "bianmin.core.middleware.AuditAttributionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bianmin.core.middleware.LanguageMiddleware",
    # Before anything reads the body (the CSRF check, the views), and after the language is known for its text.
    "bianmin.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every response to a signed-in user, an API client and a view marked personal.
    "bianmin.core.middleware.PersonalDataNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After a reset by an administrator, every page leads to the password page until the person changes it.
    "bianmin.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Last, so a locked-out login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bianmin.urls"
WSGI_APPLICATION = "bianmin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bianmin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bianmin.org.context_processors.site_chrome",
                "bianmin.supervision.context_processors.supervision_nav",
                "bianmin.workbench.context_processors.workbench_menu",
            ],
        },
    },
]


def _database() -> dict:
    # Each web server thread keeps its own connection for DB_CONN_MAX_AGE seconds, checked before reuse
    # (a restarted PostgreSQL costs one failed check, not one failed request): `manage.py serve` keeps
    # WEB_WORKERS x WEB_THREADS under the server's max_connections. SQLite keeps them too: a new SQLite
    # connection reads the whole schema on its first statement, about 1.5 ms on every request otherwise.
    config = dj_database_url.parse(ENV.database_url, conn_max_age=ENV.db_conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
        # lock up front so two writers queue on the busy timeout instead of failing mid-transaction.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        ENV.var_dir.mkdir(parents=True, exist_ok=True)
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: it pays off in analytical queries of seconds, while every statement here reads a
        # page or a few thousand index entries, and a plan costed over jit_above_cost spent 66 ms compiling for
        # a 160 ms count at 10^7 cases (docs/PERFORMANCE.md). Sent as a startup option (a pooler: docs).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The table of the database cache; bianmin/core/migrations/0004_cache_table.py creates it, so `migrate` is all a
# deployment runs. The name is written there too: a migration must not change when settings do.
CACHE_TABLE = "bianmin_cache"


def _cache() -> dict:
    # Throttles (case tracking, SMS per address) and phone codes live in the default cache, so every process of
    # the deployment must see the same one: a per-process cache multiplies each limit by the number of processes
    # and cannot check a code another process sent. Redis when REDIS_URL is set; otherwise a table in the
    # database the deployment already has (docs/ARCHITECTURE.md, "Serving").
    if ENV.redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ENV.redis_url}
    return {
        # Django's DatabaseCache with a counter that is atomic and keeps its expiry (bianmin/core/cache.py).
        "BACKEND": "bianmin.core.cache.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        # Expired rows are only deleted when the table passes this size (then a third of the live ones too): far
        # above a county's hour of throttles and codes, small enough that the COUNT(*) of each write stays cheap.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }


CACHES = {"default": _cache()}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, refusing the service accounts of outside systems: they call the API with tokens only.
    "bianmin.accounts.backends.PeopleOnlyBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "bianmin.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling: lock a username+address pair after repeated failures. The failures are rows in the database
# (axes' database handler, its default, named here so nobody swaps in a per-process cache): every web process
# counts the same failures.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = ENV.login_failure_limit
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "bianmin" / "locale"]
TIME_ZONE = ENV.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ENV.var_dir / "static"
STATICFILES_DIRS = [BASE_DIR / "bianmin" / "static"]
# No URL serves MEDIA_ROOT, in any setting: uploaded files reach people only through views that check who may
# have them (bianmin.core.uploads.file_response). MEDIA_URL is Django's required value, mounted nowhere.
MEDIA_URL = "media/"
# Uploaded files (scans, draft attachments, catalogue forms), under random names: with several web nodes, a
# directory they all mount.
MEDIA_ROOT = ENV.media_root
# The largest file accepted (bianmin.core.uploads.upload_clean) and the largest request body, refused with 413
# before it is read (bianmin.core.middleware.RequestSizeLimitMiddleware); nginx's client_max_body_size matches it.
MAX_UPLOAD_BYTES = ENV.max_upload_mb * 1024 * 1024
MAX_REQUEST_BYTES = ENV.max_request_mb * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Writes a .gz copy (and a .br one, with the Brotli package) beside every collected file; WhiteNoise and nginx's
    # gzip_static send it to browsers that accept it.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "bianmin" / "public_root"

TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[ENV.task_backend],
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = ENV.email_backend
SMS_BACKEND = ENV.sms_backend
DEFAULT_FROM_EMAIL = ENV.default_from_email

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The pages load only their own scripts and styles; htmx and ECharts are served from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# What the scheduler queues for the worker, and how often (seconds).
PERIODIC_TASKS = [
    ("bianmin.cases.tasks.sweep_cases", 60),
    ("bianmin.core.notify.send_pending_messages", 60),
    ("bianmin.core.audit.verify_audit_chain_task", 3600),
    # The chain's head, signed and appended to the checkpoint file outside the database.
    ("bianmin.core.audit.audit_checkpoint_task", 600),
    ("bianmin.cases.tasks.purge_abandoned_drafts", 86400),
    # Electronic supervision: the alert sweep, and the statistics' daily figures.
    ("bianmin.supervision.tasks.sweep_alerts", 60),
    ("bianmin.statistics.tasks.refresh_daily_figures", 60),
    # Complaints: late work orders still late 5 working days after a reminder are reported (通报).
    ("bianmin.complaints.tasks.report_late_complaints", 3600),
    # 好差评: the county's optional default ratings (off unless RATINGS_DEFAULT_AFTER_DAYS is set).
    ("bianmin.ratings.tasks.apply_default_ratings", 86400),
    # 电子证照: the reminder to holders whose licence expires in LICENCE_EXPIRY_REMINDER_DAYS days.
    ("bianmin.licences.tasks.remind_expiring_licences", 86400),
    # 互联互通: the upward report and the webhooks sent every minute; yesterday's upward report reconciled daily.
    ("bianmin.interconnect.tasks.send_outbound", 60),
    ("bianmin.interconnect.tasks.reconcile_upward", 86400),
]

# The web server that `manage.py serve` starts (gunicorn, gthread workers): processes x threads each.
WEB_WORKERS = ENV.web_workers
WEB_THREADS = ENV.web_threads

# /bench/floor/, the benchmarks' baseline request: mounted only by bianmin.settings.bench.
BENCH_FLOOR_VIEW = False

# Electronic supervision: how often the live monitor reloads its counts and table (seconds).
MONITOR_POLL_SECONDS = 30

# 好差评 (国办发〔2019〕51号): working days the handler has to rectify a bad review (local rules use 5, 7 or 15),
# and the optional county rule "no rating within N natural days counts as 基本满意" (0: off).
RATINGS_RECTIFICATION_DAYS = ENV.ratings_rectification_days
PUBLIC_URL = ENV.public_url
RATINGS_DEFAULT_AFTER_DAYS = ENV.ratings_default_after_days
# How often the rating tablet at a window asks whether its clerk put a case on it.
RATINGS_TABLET_POLL_SECONDS = 3

# Behind a reverse proxy every request comes from the proxy's address. Requests from these addresses (or networks)
# take the client's address from X-Forwarded-For instead (bianmin.core.middleware.TrustedProxyMiddleware).
TRUSTED_PROXIES = ENV.trusted_proxies
# This web node's name, sent as the X-Served-By header when set: shows which node of several answered.
NODE_NAME = ENV.node_name

# The audit chain's checkpoints (bianmin/core/audit.py): signed with this key, appended to a file in this directory.
# Empty here: local, demo and bench use a key generated under var/, production refuses to start without one.
AUDIT_CHECKPOINT_KEY = ENV.audit_checkpoint_key
AUDIT_CHECKPOINT_DIR = ENV.audit_checkpoint_dir

# Electronic licences (电子证照): the secret of the Ed25519 key that signs them (empty here: local, demo and bench
# generate one under var/, production refuses to start without one), and the days before expiry of the SMS reminder.
LICENCE_SIGNING_KEY = ENV.licence_signing_key
LICENCE_EXPIRY_REMINDER_DAYS = ENV.licence_expiry_reminder_days

# Interconnection (互联互通, bianmin/interconnect): the upward report's receiver (empty: not reported), the secret its
# messages are signed with, this deployment's name in message ids, and the retries of every outbound delivery.
INTERCONNECT_UPWARD_URL = ENV.interconnect_upward_url
INTERCONNECT_UPWARD_SECRET = ENV.interconnect_upward_secret
INTERCONNECT_DEPLOYMENT = ENV.interconnect_deployment
INTERCONNECT_MAX_ATTEMPTS = ENV.interconnect_max_attempts
INTERCONNECT_BACKOFF_SECONDS = ENV.interconnect_backoff_seconds
INTERCONNECT_TIMEOUT_SECONDS = 10

# Complaints and 12345 work orders (投诉, 12345 工单): working days to handle each kind, counted from acceptance (0: the
# same day), working days to decide on acceptance, and working days a reminder (催办) gives before a late order is
# reported (通报). docs/CONFIGURATION.md.
COMPLAINT_HANDLING_DAYS = {"urgent": 0, "consultation": 3, "help": 3, "complaint": 13}
COMPLAINT_ACCEPTANCE_DAYS = 5
COMPLAINT_REPORT_AFTER_REMINDER_DAYS = 5
