from tests.notifications.factories import fake_manage_links  # noqa: F401
