import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the working-day calendar seeded, as a deployment does."""
    from bianmin.core.workdays import calendar_seed

    with django_db_blocker.unblock():
        calendar_seed()
