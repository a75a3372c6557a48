from bianmin.cases.tests.conftest import _demo_county, at, county, intake, user  # noqa: F401
