"""Development on a laptop: DEBUG on, localhost only, SQLite under var/ unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .env import ENV, stored_secret_key

DEBUG = True
ALLOWED_HOSTS = ENV.allowed_hosts or ["127.0.0.1", "localhost", "[::1]"]
# Serve static files straight from the source folders while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The audit checkpoints' key, generated once in var/ unless AUDIT_CHECKPOINT_KEY is set.
AUDIT_CHECKPOINT_KEY = ENV.audit_checkpoint_key or stored_secret_key(ENV.var_dir / "audit_checkpoint_key")
# The licences' signing secret, generated once in var/ unless LICENCE_SIGNING_KEY is set.
LICENCE_SIGNING_KEY = ENV.licence_signing_key or stored_secret_key(ENV.var_dir / "licence_signing_key")
