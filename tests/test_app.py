"""The app factory, configuration precedence, error answers without internals, and CSRF."""

from __future__ import annotations

import pytest

from portal import create_app
from tests.conftest import make_user, sign_in


def test_factory_uses_the_test_config(app):
    assert app.testing
    assert app.config["MAIL_BACKEND"] == "locmem"


def test_defaults_live_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    app = create_app(instance_path=str(instance))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'portal.sqlite'}"
    assert app.config["MAIL_FILE_PATH"] == str(instance / "mail")
    assert app.config["TIMEZONE"] == "UTC"
    assert app.config["RATELIMIT_ENABLED"] is True
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32
    assert (instance / "secret_key").read_text() == key
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0
    # The key is kept: a restart keeps sessions valid.
    assert create_app(instance_path=str(instance)).config["SECRET_KEY"] == key


def test_precedence_defaults_instance_environment_argument(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'TIMEZONE = "Europe/Berlin"\nMAIL_BACKEND = "console"\nMAIL_PORT = 2500\n'
        'VIDEO_URL_TEMPLATE = "https://video.example/{ticket}"\n'
    )
    monkeypatch.setenv("PORTAL_MAIL_BACKEND", "smtp")
    monkeypatch.setenv("PORTAL_MAIL_PORT", "2525")
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-the-environment")
    app = create_app({"MAIL_PORT": 2626}, instance_path=str(instance))
    assert app.config["TIMEZONE"] == "Europe/Berlin"  # instance over default
    assert app.config["VIDEO_URL_TEMPLATE"] == "https://video.example/{ticket}"
    assert app.config["MAIL_BACKEND"] == "smtp"  # environment over instance
    assert app.config["RATELIMIT_ENABLED"] is False  # parsed, not the string "false"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["MAIL_PORT"] == 2626  # argument over environment
    assert not (instance / "secret_key").exists()


def test_database_uri_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'other.sqlite'}")
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.sqlite")


def test_unknown_timezone_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="not an IANA time zone"):
        create_app({"TIMEZONE": "Mars/Olympus"}, instance_path=str(tmp_path))


def test_an_unknown_default_locale_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="not a locale"):
        create_app({"BABEL_DEFAULT_LOCALE": "xx-YY"}, instance_path=str(tmp_path))


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json == {
        "error": "not_found",
        "error_description": "There is nothing at this address.",
    }


def test_server_error_page_shows_no_stack_trace(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "secret internals" not in page


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_post_without_csrf_token_is_rejected(client, config_overrides):
    make_user("agent@example.com")
    response = sign_in(client, "agent@example.com")
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_post_with_csrf_header_is_accepted(client, config_overrides):
    """HTMX sends the token in X-CSRFToken (set by hx-headers on <body>)."""
    import re

    make_user("agent@example.com")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": "agent@example.com", "password": "correct horse"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_sign_in_is_rate_limited(client, config_overrides):
    for _ in range(10):
        sign_in(client, "nobody@example.com", "guess")
    response = sign_in(client, "nobody@example.com", "guess")
    assert response.status_code == 429
    assert "Please wait a moment" in response.get_data(as_text=True)


def test_pages_link_vendored_htmx(client):
    page = client.get("/").get_data(as_text=True)
    assert "js/htmx-2.0.11.min.js" in page
    assert client.get("/static/js/htmx-2.0.11.min.js").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"MAIL_BACKEND": "file"}])
def test_file_mail_backend_writes_one_eml_per_message(app, tmp_path, config_overrides):
    from email import message_from_bytes
    from pathlib import Path

    from flask_mailman import EmailMessage

    for number in (1, 2):
        EmailMessage(f"Hello {number}", "Body", "from@example.com", ["to@example.com"]).send()
    files = sorted(Path(app.config["MAIL_FILE_PATH"]).glob("*.eml"))
    assert len(files) == 2
    subjects = {message_from_bytes(path.read_bytes())["Subject"] for path in files}
    assert subjects == {"Hello 1", "Hello 2"}


# --- no internals in any error answer ---------------------------------------------------------

# As in production: exceptions are handled, not re-raised to the test client.
PRODUCTION_LIKE = {
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": False,
    "WTF_CSRF_ENABLED": True,
    "MAX_CONTENT_LENGTH": 64 * 1024,
}
INTERNALS = ("Traceback", 'File "', ".py", "werkzeug", "sqlalchemy", "secret internals")


def assert_no_internals(text: str) -> None:
    for marker in INTERNALS:
        assert marker not in text, f"{marker!r} leaked into: {text[:500]}"


@pytest.mark.parametrize("config_overrides", [PRODUCTION_LIKE])
@pytest.mark.parametrize(
    ("endpoint", "path"), [("public.index", "/"), ("api.list_services", "/api/services")]
)
def test_an_unexpected_exception_is_answered_without_internals(
    app, client, config_overrides, endpoint, path
):
    def broken_view(*args, **kwargs):
        raise RuntimeError(f"secret internals in {__file__}")

    app.view_functions[endpoint] = broken_view
    response = client.get(path)
    assert response.status_code == 500
    assert_no_internals(response.get_data(as_text=True))
    if path.startswith("/api/"):
        assert response.json == {
            "error": "server_error",
            "error_description": "An unexpected error happened. It has been logged.",
        }
    else:
        assert response.mimetype == "text/html"
        assert "Something went wrong" in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [PRODUCTION_LIKE])
@pytest.mark.parametrize(
    ("method", "path", "request_args", "status"),
    [
        ("GET", "/no/such/page", {}, 404),
        ("GET", "/api/no-such-endpoint", {}, 404),
        ("PUT", "/login", {}, 405),
        ("DELETE", "/api/otp", {}, 405),
        ("POST", "/login", {"data": {"email": "a@example.com", "password": "x"}}, 400),  # no CSRF
        ("POST", "/api/otp", {"data": "{not json", "content_type": "application/json"}, 400),
        ("POST", "/login", {"data": {"email": "a" * 100_000}}, 413),
        ("POST", "/api/otp", {"json": {"email": "a" * 100_000}}, 413),
    ],
)
def test_error_answers_are_clean_for_pages_and_api(
    client, config_overrides, method, path, request_args, status
):
    response = client.open(path, method=method, **request_args)
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert_no_internals(text)
    if path.startswith("/api/"):
        assert set(response.json) == {"error", "error_description"}
        assert response.json["error_description"]
    else:
        assert response.mimetype == "text/html"
        assert f'<p class="error-page__code">{status}</p>' in text


def test_bodies_over_a_mebibyte_are_refused_by_default(client):
    response = client.post(
        "/api/otp", data="x" * (1024 * 1024 + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json["error"] == "too_large"


def test_every_page_names_a_favicon_that_is_served(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/img/favicon.svg">' in page
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
