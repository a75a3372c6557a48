"""Benchmarks (bench/): production-like (DEBUG off, no query log), a local database named by DATABASE_URL."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# /bench/floor/: the baseline request bench/http_bench.py times between each scenario's requests.
BENCH_FLOOR_VIEW = True
