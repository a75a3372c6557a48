"""Every environment variable Bianmin reads, in one place, each with its documented default.

The table in docs/CONFIGURATION.md mirrors this module; keep them together.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


class ConfigurationError(RuntimeError):
    """Raised at start-up when production settings lack a required secret."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _positive_int(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        # Fail at start-up with the variable's name rather than with a server that cannot start.
        raise ConfigurationError(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return value


@dataclass(frozen=True)
class Env:
    # Development-only key: production.py refuses to start while this default is in use.
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database_url: str
    var_dir: Path
    task_backend: str
    time_zone: str
    sms_backend: str
    email_backend: str
    default_from_email: str
    require_browser: bool
    login_failure_limit: int
    # The web server of `manage.py serve`: gunicorn processes, and threads in each.
    web_workers: int
    web_threads: int
    # Seconds a PostgreSQL connection is kept between requests (0: one per request).
    db_conn_max_age: int
    # The shared cache (throttles, phone codes): Redis when set, otherwise a table in the database.
    redis_url: str
    # Uploaded files; a directory every node of the deployment mounts when there are several.
    media_root: Path
    # The largest uploaded file accepted (MB), and the largest request body (MB): one form carries a file per
    # material, so the request's limit is the larger; nginx's client_max_body_size must match the request's.
    max_upload_mb: int
    max_request_mb: int
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For names the client.
    trusted_proxies: list[str]
    # Production on plain http, for a trial on this machine's loopback only.
    plain_http: bool
    # This web node's name, sent back as X-Served-By when set.
    node_name: str
    # The key that signs the audit chain's checkpoints (HMAC-SHA256); required in production.
    audit_checkpoint_key: str
    # Where the checkpoints are appended: a directory the database's users cannot change.
    audit_checkpoint_dir: Path
    # 好差评: working days to rectify a bad review; natural days after which no rating counts as 基本满意 (0: off).
    ratings_rectification_days: int
    ratings_default_after_days: int
    # The address the public reaches the portal at, for links in text messages (the rating link after delivery).
    public_url: str
    # The secret whose SHA-256 is the Ed25519 key that signs the electronic licences; required in production.
    licence_signing_key: str
    # Days before a licence's expiry that its holder gets a reminder by SMS (0: none).
    licence_expiry_reminder_days: int
    # The upward report (办件上报): the upper-level platform's base URL (empty: off), the HMAC secret shared with it,
    # this deployment's name in message ids, and the delivery's retries (attempts before the dead letter, first
    # backoff in seconds, doubled each time).
    interconnect_upward_url: str
    interconnect_upward_secret: str
    interconnect_deployment: str
    interconnect_max_attempts: int
    interconnect_backoff_seconds: int


DEV_SECRET_KEY = "dev-insecure-key-change-me-bianmin"


def read_env() -> Env:
    var_dir = Path(os.environ.get("BIANMIN_VAR_DIR", str(BASE_DIR / "var")))
    return Env(
        secret_key=os.environ.get("SECRET_KEY") or DEV_SECRET_KEY,
        debug=_bool("DEBUG", False),
        allowed_hosts=_list("ALLOWED_HOSTS", ""),
        csrf_trusted_origins=_list("CSRF_TRUSTED_ORIGINS", ""),
        database_url=os.environ.get("DATABASE_URL", f"sqlite:///{var_dir / 'bianmin.sqlite3'}"),
        var_dir=var_dir,
        task_backend=os.environ.get("TASK_BACKEND", "database"),
        time_zone=os.environ.get("TIME_ZONE", "Asia/Shanghai"),
        sms_backend=os.environ.get("SMS_BACKEND", "console"),
        email_backend=os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        default_from_email=os.environ.get("DEFAULT_FROM_EMAIL", "bianmin@localhost"),
        require_browser=_bool("BIANMIN_REQUIRE_BROWSER", False),
        login_failure_limit=int(os.environ.get("LOGIN_FAILURE_LIMIT", "5")),
        web_workers=_positive_int("WEB_WORKERS", 2),
        web_threads=_positive_int("WEB_THREADS", 4),
        db_conn_max_age=_positive_int("DB_CONN_MAX_AGE", 60, minimum=0),
        redis_url=os.environ.get("REDIS_URL", "").strip(),
        media_root=Path(os.environ.get("MEDIA_ROOT") or str(var_dir / "media")),
        max_upload_mb=_positive_int("MAX_UPLOAD_MB", 10),
        max_request_mb=_positive_int("MAX_REQUEST_MB", 100),
        trusted_proxies=_list("TRUSTED_PROXIES", ""),
        plain_http=_bool("PLAIN_HTTP", False),
        node_name=os.environ.get("NODE_NAME", "").strip(),
        audit_checkpoint_key=os.environ.get("AUDIT_CHECKPOINT_KEY", "").strip(),
        audit_checkpoint_dir=Path(os.environ.get("AUDIT_CHECKPOINT_DIR") or str(var_dir / "audit-checkpoints")),
        ratings_rectification_days=_positive_int("RATINGS_RECTIFICATION_DAYS", 5),
        ratings_default_after_days=_positive_int("RATINGS_DEFAULT_AFTER_DAYS", 0, minimum=0),
        public_url=os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").strip().rstrip("/"),
        licence_signing_key=os.environ.get("LICENCE_SIGNING_KEY", "").strip(),
        licence_expiry_reminder_days=_positive_int("LICENCE_EXPIRY_REMINDER_DAYS", 30, minimum=0),
        interconnect_upward_url=os.environ.get("INTERCONNECT_UPWARD_URL", "").strip().rstrip("/"),
        interconnect_upward_secret=os.environ.get("INTERCONNECT_UPWARD_SECRET", "").strip(),
        interconnect_deployment=os.environ.get("INTERCONNECT_DEPLOYMENT", "").strip() or "bianmin",
        interconnect_max_attempts=_positive_int("INTERCONNECT_MAX_ATTEMPTS", 8),
        interconnect_backoff_seconds=_positive_int("INTERCONNECT_BACKOFF_SECONDS", 30),
    )


def stored_secret_key(path: Path) -> str:
    """The secret key kept in ``path``, generated there (owner-readable only) the first time.

    The web server's processes, the worker and the scheduler start together and must share one key: the
    key is written under a temporary name and linked into place, so a concurrent reader never sees half
    of it and only the first writer's key is kept.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


ENV = read_env()
