import pytest


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every domain test runs inside the app, on a clean database."""
    yield app
