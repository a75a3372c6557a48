"""Production: refuses to start without its secrets; secure cookies, HSTS and strict headers."""

from .base import *  # noqa: F403
from .env import DEV_SECRET_KEY, ENV, ConfigurationError

if ENV.secret_key == DEV_SECRET_KEY or len(ENV.secret_key) < 32:
    raise ConfigurationError("SECRET_KEY must be set to a random value of at least 32 characters in production.")
if not ENV.allowed_hosts:
    raise ConfigurationError("ALLOWED_HOSTS must list the host names this deployment serves in production.")
if len(ENV.audit_checkpoint_key) < 32:
    raise ConfigurationError(
        "AUDIT_CHECKPOINT_KEY must be set to a random value of at least 32 characters in production: it signs the "
        "audit chain's checkpoints and is kept away from the database and its backups."
    )

if len(ENV.licence_signing_key) < 32:
    raise ConfigurationError(
        "LICENCE_SIGNING_KEY must be set to a random value of at least 32 characters in production: it signs the "
        "electronic licences, whose public key the verification page publishes."
    )

if ENV.interconnect_upward_url and len(ENV.interconnect_upward_secret) < 32:
    raise ConfigurationError(
        "INTERCONNECT_UPWARD_SECRET must be set to a random value of at least 32 characters when "
        "INTERCONNECT_UPWARD_URL is: the upper platform checks every message's signature with it."
    )

# A trial of the production stack on one machine (`make deploy-local`) has no TLS. PLAIN_HTTP lets it run on
# http, and only when every host name it answers to is this machine's loopback, so that it cannot be left on in
# a deployment the county reaches over a network.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
if ENV.plain_http and not set(ENV.allowed_hosts) <= LOOPBACK_HOSTS:
    raise ConfigurationError(
        "PLAIN_HTTP is for a trial on this machine only: ALLOWED_HOSTS may then list only 127.0.0.1, localhost "
        "and [::1]."
    )

DEBUG = False
SESSION_COOKIE_SECURE = not ENV.plain_http
CSRF_COOKIE_SECURE = not ENV.plain_http
SECURE_SSL_REDIRECT = not ENV.plain_http
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if ENV.plain_http else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not ENV.plain_http
SESSION_COOKIE_AGE = 8 * 3600
