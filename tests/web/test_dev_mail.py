"""Development mail: delivered without a separate command, readable at /dev/mail.

Only with the ``file`` backend; with ``smtp`` the page does not exist.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask

from portal import create_app
from portal.delivery import sends_in_process, stop_in_process_sender
from portal.extensions import db
from portal.notifications.outbox import queue_email
from tests.booking.web_support import shop, start_booking  # noqa: F401
from tests.conftest import base_test_config


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict:
    return {"MAIL_BACKEND": "file", "MAIL_FILE_PATH": str(tmp_path / "mail")}


def write_mail(app: Flask, subject: str, body: str, to: str = "cora@example.org") -> None:
    queue_email(to, subject, body, kind="verification", session=db.session)
    db.session.commit()
    from portal.delivery import send_due

    assert send_due().sent == 1


def test_the_page_lists_sent_mail_with_the_code_and_clickable_links(app, client):
    write_mail(app, "482913 is your code", "Your code: 482913\nManage: https://portal.example/m/x")
    write_mail(app, "Booked <b>now</b>", "Hello <script>alert(1)</script>")
    page = client.get("/dev/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<span class="dev-mail__code" aria-label="Code 4 8 2 9 1 3">482913</span>' in html
    assert '<a href="https://portal.example/m/x">https://portal.example/m/x</a>' in html
    assert "to cora@example.org" in html
    # Escaped, never markup.
    assert "Booked &lt;b&gt;now&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "<script>alert" not in html
    # Newest first, and the header links to it.
    assert html.index("Booked &lt;b&gt;") < html.index("482913 is your code")
    assert 'href="/dev/mail"' in client.get("/").get_data(as_text=True)


def test_an_empty_folder_says_where_mail_will_appear(client):
    page = client.get("/dev/mail")
    assert page.status_code == 200
    assert "No mail yet" in page.get_data(as_text=True)


def test_the_code_page_points_at_it(app, client, shop):
    code_page = start_booking(client, shop, shop.at(10))
    assert code_page.status_code == 200
    hint = 'Read the code on the <a href="/dev/mail"'
    assert hint in code_page.get_data(as_text=True)
    assert "is your code" in client.get("/dev/mail").get_data(as_text=True)


@pytest.mark.parametrize("backend", ["smtp", "locmem", "console"])
def test_no_page_without_the_file_backend(tmp_path, backend):
    config = base_test_config(tmp_path) | {"MAIL_BACKEND": backend}
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    assert app.test_client().get("/dev/mail").status_code == 404
    with app.test_request_context():
        assert 'href="/dev/mail"' not in app.test_client().get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("backend", "testing", "setting", "expected"),
    [
        ("file", False, "auto", True),
        ("console", False, "auto", True),
        ("smtp", False, "auto", False),
        ("file", True, "auto", False),  # tests send explicitly
        ("smtp", False, True, True),
        ("file", False, False, False),
    ],
)
def test_who_sends_in_process(tmp_path, backend, testing, setting, expected):
    config = base_test_config(tmp_path) | {
        "MAIL_BACKEND": backend,
        "TESTING": testing,
        "MAIL_SEND_IN_PROCESS": setting,
    }
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    assert sends_in_process(app) is expected


@pytest.mark.real_clock
def test_mail_is_delivered_by_the_web_process_itself(tmp_path):
    mail_dir = tmp_path / "mail"
    config = base_test_config(tmp_path) | {
        "MAIL_BACKEND": "file",
        "MAIL_FILE_PATH": str(mail_dir),
        "MAIL_SEND_IN_PROCESS": True,
        # Its own database: the thread commits outside the test's cleanup.
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'in-process.sqlite'}",
    }
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        queue_email(
            "cora@example.org", "Booked", "See you.", kind="verification", session=db.session
        )
        db.session.commit()
        db.session.remove()
    try:
        assert app.test_client().get("/").status_code == 200  # the first request starts it
        deadline = time.monotonic() + 20
        while not list(mail_dir.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(list(mail_dir.glob("*.eml"))) == 1
    finally:
        stop_in_process_sender(app)
        with app.app_context():
            db.engine.dispose()
