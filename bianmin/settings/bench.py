"""Benchmarks (bench/): production-like (DEBUG off, no query log), a local database named by DATABASE_URL."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
