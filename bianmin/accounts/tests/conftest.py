import pytest

from bianmin.demo.loader import load_demo


@pytest.fixture
def demo(db):
    """The demo county's organisation and staff, loaded through the services (as `make demo` does)."""
    load_demo(with_catalog=False)
