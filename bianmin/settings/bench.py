"""Benchmarks (bench/): production-like (DEBUG off, no query log), a local database named by DATABASE_URL."""

from .base import *  # noqa: F403
from .env import ENV, stored_secret_key

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# /bench/floor/: the baseline request bench/http_bench.py times between each scenario's requests.
BENCH_FLOOR_VIEW = True
# The audit checkpoints' key, generated once in var/ unless AUDIT_CHECKPOINT_KEY is set.
AUDIT_CHECKPOINT_KEY = ENV.audit_checkpoint_key or stored_secret_key(ENV.var_dir / "audit_checkpoint_key")
# The licences' signing secret, generated once in var/ unless LICENCE_SIGNING_KEY is set.
LICENCE_SIGNING_KEY = ENV.licence_signing_key or stored_secret_key(ENV.var_dir / "licence_signing_key")
