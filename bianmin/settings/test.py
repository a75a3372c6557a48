"""The test suite: fast hashing, tasks run in-process, no throttling unless a test turns it on."""

from .base import *  # noqa: F403
from .base import TASKS

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
TASKS = {"default": {**TASKS["default"], "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
# One process per test database, and _empty_cache (conftest.py) clears the cache around every test, also in tests
# without database access. The shared backends are tested in bianmin/core/tests/test_cache.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A fixed key; every test gets its own empty checkpoint directory (conftest.py).
AUDIT_CHECKPOINT_KEY = "test-audit-checkpoint-key-not-for-production"
# A fixed licence signing secret, so the tests' signatures are reproducible.
LICENCE_SIGNING_KEY = "test-licence-signing-key-not-for-production"
