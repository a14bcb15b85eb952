"""Accessibility report: axe-core on every page of issue 16, at 1366 and 390 pixels.

Starts gunicorn on a throwaway SQLite database with the demo data (``flask demo``),
walks the pages as the right person with Debian's Chromium (Playwright) and prints,
for each page and width, axe's violations (every impact) by rule id and the number
of failing elements, then the pages wider than the viewport at 390 pixels.

The customer flow books a time for real (details with errors, a wrong code, the
code from the mail file), then opens the manage page and /my.

Needs ``npm ci --prefix tests/e2e/js`` (axe-core) and /usr/bin/chromium.

    python bench/axe_report.py [--widths 1366 390] [--only agent-week ...] [--details] [--lang de]

``--lang de`` chooses German as the language menu does (the ``portal_locale`` cookie; also
``Accept-Language: de`` and a German browser locale): the same walk
on the German pages; the flow finds fields and buttons by their German names.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/http.py shares its name with the standard library's ``http``.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from email.header import decode_header, make_header  # noqa: E402

from tests.e2e.accessibility import (  # noqa: E402
    axe_script,
    axe_violations,
    settle,
    describe,
    overflowing_elements,
    page_overflow,
    violation_counts,
)
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.live_server import gunicorn_server, server_environment  # noqa: E402

PASSWORD = "demo-password"  # nosec B105 # the demo data's published password
SERVICE = "video-consultation"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# The words the walk looks for, per language (the German catalog's translations).
WORDS = {
    "de": {
        "Email": "E-Mail",
        "Password": "Passwort",
        "Sign in": "Anmelden",
        "Send me the code": "Code zusenden",
        "First name": "Vorname",
        "Last name": "Nachname",
        "6-digit code": "6-stelliger Code",
        "Confirm booking": "Buchung bestätigen",
        "You are booked": "Ihr Termin ist gebucht",
        "Manage booking": "Buchung verwalten",
        "Your appointment": "Ihr Termin",
    }
}
BROWSER_LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR"}


@dataclass
class Result:
    name: str
    width: int
    counts: Counter
    overflow: int
    wide: list[str] = field(default_factory=list)
    details: str = ""


class Walk:
    def __init__(
        self, browser, base: str, width: int, mail_dir: Path, only: set[str], lang: str = "en"
    ):
        self.browser = browser
        self.lang = lang
        self.base = base
        self.width = width
        self.mail_dir = mail_dir
        self.only = only
        self.results: list[Result] = []
        self.script = axe_script()

    def context(self):
        height = 844 if self.width <= 480 else 900
        context = self.browser.new_context(
            viewport={"width": self.width, "height": height},
            timezone_id="Europe/Berlin",
            locale=BROWSER_LOCALES.get(self.lang, self.lang),
            extra_http_headers={"Accept-Language": self.lang},
        )
        # The language menu's choice: it comes before a staff user's and an appointment's locale.
        context.add_cookies([{"name": "portal_locale", "value": self.lang, "url": self.base}])
        context.set_default_timeout(20_000)
        return context

    def word(self, english: str) -> str:
        return WORDS.get(self.lang, {}).get(english, english)

    def check(self, page, name: str) -> None:
        if self.only and name not in self.only:
            return
        settle(page)
        violations = axe_violations(page, self.script)
        overflow = page_overflow(page)
        self.results.append(
            Result(
                name,
                self.width,
                violation_counts(violations),
                overflow,
                overflowing_elements(page) if overflow else [],
                describe(violations),
            )
        )

    def visit(self, page, name: str, path: str) -> None:
        if self.only and name not in self.only:
            return
        page.goto(self.base + path)
        self.check(page, name)

    def sign_in(self, email: str):
        context = self.context()
        page = context.new_page()
        page.goto(self.base + "/login")
        page.get_by_label(self.word("Email")).fill(email)
        page.get_by_label(self.word("Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile(self.word("Sign in"), re.I)).click()
        page.wait_for_load_state("networkidle")
        return context, page

    def link(self, page, pattern: str) -> str | None:
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        return next((href for href in hrefs if re.search(pattern, href)), None)

    # -- pages ---------------------------------------------------------------------------------

    def customer(self) -> None:
        context = self.context()
        page = context.new_page()
        self.visit(page, "index", "/")
        self.visit(page, "sign-in", "/login")
        page.goto(self.base + "/login")
        page.get_by_label(self.word("Email")).fill("nobody@example.com")
        page.get_by_label(self.word("Password")).fill("wrong-password")
        page.get_by_role("button", name=re.compile(self.word("Sign in"), re.I)).click()
        self.check(page, "sign-in-error")
        self.visit(page, "my-sign-in", "/my")
        self.visit(page, "api-docs", "/api/docs")

        page.goto(f"{self.base}/book/{SERVICE}")
        page.wait_for_load_state("networkidle")
        self.check(page, "book-month")
        days = page.locator("a[data-day]")
        if days.count() == 0:
            page.locator("#month-next").click()
            page.wait_for_load_state("networkidle")
        page.locator("a[data-day]").first.click()
        page.locator("#slots button.slot").first.wait_for()
        self.check(page, "book-day")
        page.locator("#slots button.slot").first.click()
        page.get_by_role("button", name=self.word("Send me the code")).wait_for()
        self.check(page, "book-details")
        page.get_by_role("button", name=self.word("Send me the code")).click()
        page.locator(".field-error").first.wait_for()
        self.check(page, "book-details-errors")
        email = f"erika.{self.width}.{int(time.time())}@example.org"
        page.get_by_label(self.word("First name")).fill("Erika")
        page.get_by_label(self.word("Last name")).fill("Mustermann")
        page.get_by_label(self.word("Email")).fill(email)
        sent_after = time.time()
        page.get_by_role("button", name=self.word("Send me the code")).click()
        page.get_by_label(self.word("6-digit code")).wait_for()
        self.check(page, "book-code")
        page.get_by_label(self.word("6-digit code")).fill("000000")
        page.get_by_role("button", name=self.word("Confirm booking")).click()
        page.wait_for_load_state("networkidle")
        self.check(page, "book-code-error")
        page.get_by_label(self.word("6-digit code")).fill(
            newest_code(self.mail_dir, email, sent_after)
        )
        page.get_by_role("button", name=self.word("Confirm booking")).click()
        page.get_by_role("heading", name=self.word("You are booked")).wait_for()
        self.check(page, "book-confirmed")
        page.get_by_role("link", name=self.word("Manage booking")).click()
        page.get_by_role("heading", name=self.word("Your appointment")).wait_for()
        self.check(page, "manage")
        page.locator("#reschedule > summary").click()
        page.wait_for_load_state("networkidle")
        self.check(page, "manage-reschedule")
        self.visit(page, "my", "/my")
        context.close()

    def agent(self) -> None:
        context, page = self.sign_in("alice@example.com")
        self.check(page, "agent-dashboard")
        for view in ("day", "week", "month"):
            self.visit(page, f"agent-{view}", f"/agent/calendar?view={view}")
        page.goto(self.base + "/agent/calendar?view=week")
        href = self.link(page, rf"/agent/appointments/{UUID}")
        if href:
            self.visit(page, "agent-appointment", href)
        self.visit(page, "agent-hours", "/agent/hours")
        self.visit(page, "agent-time-off", "/agent/time-off")
        self.visit(page, "agent-time-off-new", "/agent/time-off/new")
        context.close()

    def team(self) -> None:
        context, page = self.sign_in("supervisor@example.com")
        for view in ("day", "week", "month"):
            self.visit(page, f"team-{view}", f"/team?view={view}")
        context.close()

    def admin(self) -> None:
        context, page = self.sign_in("admin@example.com")
        self.visit(page, "admin-home", "/admin")
        self.visit(page, "admin-users", "/admin/users")
        user = self.link(page, rf"/admin/users/{UUID}$")
        self.visit(page, "admin-user-new", "/admin/users/new")
        if user:
            self.visit(page, "admin-user-edit", user)
        self.visit(page, "admin-services", "/admin/services")
        page.goto(self.base + "/admin/services")
        service = self.link(page, rf"/admin/services/{UUID}$")
        self.visit(page, "admin-service-new", "/admin/services/new")
        if service:
            self.visit(page, "admin-service-edit", service)
            self.visit(page, "admin-templates", service + "/templates")
            page.goto(self.base + service + "/templates")
            template = self.link(page, rf"/templates/{UUID}$")
            if template:
                self.visit(page, "admin-template-edit", template)
            self.visit(page, "admin-time-slots", service + "/time-slots")
        self.visit(page, "admin-webhooks", "/admin/webhooks")
        self.visit(page, "admin-tokens", "/admin/tokens")
        self.visit(page, "admin-office-hours", "/admin/office-hours")
        self.visit(page, "admin-outbox", "/admin/outbox")
        context.close()


def newest_code(mail_dir: Path, email: str, after: float, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for path in mail_dir.glob("*") if mail_dir.exists() else []:
            if path.stat().st_mtime + 1 < after:
                continue
            content = path.read_text(errors="replace")
            if email in content:
                # A German subject has umlauts, so it arrives encoded (RFC 2047).
                for match in re.finditer(r"^Subject: (.*(?:\n[ \t].*)*)", content, re.M):
                    subject = str(make_header(decode_header(match.group(1))))
                    code = re.match(r"(\d{6}) (?:is your code|ist Ihr Code)", subject)
                    if code:
                        found.append((path.stat().st_mtime, code.group(1)))
        if found:
            return max(found)[1]
        time.sleep(0.2)
    raise RuntimeError(f"no code mail to {email} in {mail_dir}")


def load_demo(settings: dict[str, object]) -> None:
    env = server_environment(settings)
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(  # nosec B603 # our own CLI
            [sys.executable, "-m", "flask", "--app", "portal", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def print_table(results: list[Result], details: bool) -> None:
    widths = sorted({r.width for r in results}, reverse=True)
    names = list(dict.fromkeys(r.name for r in results))
    by_key = {(r.name, r.width): r for r in results}
    total = Counter()
    print(f"{'page':<24} {'width':>5} {'elements':>8}  rules (failing elements)")
    for name in names:
        for width in widths:
            result = by_key.get((name, width))
            if result is None:
                continue
            total.update(result.counts)
            rules = ", ".join(f"{rule} {n}" for rule, n in result.counts.most_common()) or "-"
            print(f"{name:<24} {width:>5} {sum(result.counts.values()):>8}  {rules}")
            if details and result.details:
                print("    " + result.details.replace("\n", "\n    "))
    print()
    print("totals by rule:", ", ".join(f"{rule} {n}" for rule, n in total.most_common()) or "none")
    clean = [n for n in names if all(not by_key[(n, w)].counts for w in widths if (n, w) in by_key)]
    print(f"clean at every width ({len(clean)}/{len(names)}):", ", ".join(clean) or "none")
    print()
    wide = [r for r in results if r.overflow]
    print(f"wider than the viewport ({len(wide)}):")
    for result in wide:
        print(f"  {result.name} @ {result.width}: +{result.overflow}px  {'; '.join(result.wide)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[1366, 390])
    parser.add_argument("--only", nargs="*", default=[], help="page names to check")
    parser.add_argument("--details", action="store_true", help="list the failing elements")
    parser.add_argument("--lang", default="en", help="Accept-Language to send (en, de, fr)")
    args = parser.parse_args()
    if axe_script() is None:
        sys.exit("axe-core is missing: npm ci --prefix tests/e2e/js")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="axe-report-") as folder:
        tmp = Path(folder)
        mail_dir = tmp / "mail"
        settings: dict[str, object] = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'portal.sqlite'}",
            "SECRET_KEY": "axe-report",
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(mail_dir),
        }
        load_demo(settings)
        settings["MAIL_SEND_IN_PROCESS"] = True
        results: list[Result] = []
        with (
            gunicorn_server(settings, tmp, workers=2, threads=4) as server,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for width in args.widths:
                walk = Walk(browser, server.url, width, mail_dir, set(args.only), args.lang)
                for part in (walk.customer, walk.agent, walk.team, walk.admin):
                    try:
                        part()
                    except Exception as error:  # report the rest even when one flow breaks
                        print(f"! {part.__name__} @ {width}: {error}", file=sys.stderr)
                results.extend(walk.results)
            browser.close()
    print_table(results, args.details)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
