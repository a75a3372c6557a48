from . import audit, calendar  # noqa: F401  (registers the admin classes)
