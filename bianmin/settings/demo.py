"""The demo (`make demo`): production's server and DEBUG off, on plain http://127.0.0.1 of one machine.

Unlike production it needs no secrets: the secret key is generated once and kept in var/secret_key (unless
SECRET_KEY is set), and cookies are not marked secure because there is no TLS on localhost.
"""

from .base import *  # noqa: F403
from .env import DEV_SECRET_KEY, ENV, stored_secret_key

SECRET_KEY = ENV.secret_key if ENV.secret_key != DEV_SECRET_KEY else stored_secret_key(ENV.var_dir / "secret_key")
DEBUG = False
ALLOWED_HOSTS = ENV.allowed_hosts or ["127.0.0.1", "localhost", "[::1]"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# The audit checkpoints' key, generated once in var/ unless AUDIT_CHECKPOINT_KEY is set.
AUDIT_CHECKPOINT_KEY = ENV.audit_checkpoint_key or stored_secret_key(ENV.var_dir / "audit_checkpoint_key")
# The licences' signing secret, generated once in var/ unless LICENCE_SIGNING_KEY is set.
LICENCE_SIGNING_KEY = ENV.licence_signing_key or stored_secret_key(ENV.var_dir / "licence_signing_key")
# The upward report goes to the reference receiver on this machine (`manage.py reference_receiver`, which `make demo`
# starts beside the web server: `serve --reference-receiver`), signed with a secret generated once in var/ unless
# INTERCONNECT_UPWARD_SECRET is set.
INTERCONNECT_UPWARD_URL = ENV.interconnect_upward_url or "http://127.0.0.1:8765"
INTERCONNECT_UPWARD_SECRET = ENV.interconnect_upward_secret or stored_secret_key(
    ENV.var_dir / "interconnect_upward_secret"
)
