"""Fixtures for the admin page tests (import the ones a module uses)."""

from __future__ import annotations

import re

import pytest

from portal.models import Role
from tests.conftest import make_user, sign_in


@pytest.fixture
def admin(app):
    return make_user("admin@example.com", role=Role.ADMIN, name="Ada Admin")


@pytest.fixture
def admin_client(client, admin):
    assert sign_in(client, "admin@example.com").status_code == 302
    return client


def errors_in(page: str) -> list[str]:
    """The field and form error messages shown on a page."""
    found = re.findall(r'class="field-error"[^>]*>(.*?)</p>', page, re.S)
    found += re.findall(r'class="flash flash--error" role="alert">\s*(.*?)</div>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in found]
