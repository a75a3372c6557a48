"""Production: refuses to start without its secrets; secure cookies, HSTS and strict headers."""

from .base import *  # noqa: F403
from .env import DEV_SECRET_KEY, ENV, ConfigurationError

if ENV.secret_key == DEV_SECRET_KEY or len(ENV.secret_key) < 32:
    raise ConfigurationError(
        "SECRET_KEY must be set to a random value of at least 32 characters in production."
    )
if not ENV.allowed_hosts:
    raise ConfigurationError("ALLOWED_HOSTS must list the host names this deployment serves in production.")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_AGE = 8 * 3600
