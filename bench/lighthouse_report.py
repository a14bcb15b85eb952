"""Benchmark: Lighthouse on the booking page and the agent week (issue 16).

Starts gunicorn on a throwaway SQLite database with the demo data, signs in as
an agent with Playwright to get a session cookie, then runs Lighthouse (npm,
pinned by ``bench/lighthouse/package-lock.json``) with Debian's Chromium,
headless, on the desktop preset and on the default (mobile) one. Prints the
accessibility, best-practices and performance scores and the total blocking
time. Targets: accessibility and best practices >= 95; booking page TBT < 200 ms
(desktop). A benchmark, not a test.

    npm ci --prefix bench/lighthouse
    python bench/lighthouse_report.py [--keep-json DIR]
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
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

from bench.axe_report import PASSWORD, SERVICE, load_demo  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.live_server import gunicorn_server  # noqa: E402

LIGHTHOUSE = HERE / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("accessibility", "best-practices", "performance")


def session_cookie(base: str, email: str) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(base + "/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        cookies = page.context.cookies()
        browser.close()
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)


def lighthouse(url: str, preset: str, out: Path, cookie: str | None) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(  # nosec B603 # our own pinned tool
        command, check=True, env=os.environ | {"CHROME_PATH": CHROMIUM}, timeout=300
    )
    report = json.loads(out.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    scores["tbt_ms"] = round(report["audits"]["total-blocking-time"]["numericValue"])
    failing = [
        audit_id
        for ref in report["categories"]["accessibility"]["auditRefs"]
        + report["categories"]["best-practices"]["auditRefs"]
        if (audit_id := ref["id"])
        and ref.get("weight", 0) > 0
        and report["audits"][audit_id].get("score") not in (None, 1)
    ]
    scores["failing"] = failing
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-json", type=Path, help="a folder for Lighthouse's JSON reports")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is missing: npm ci --prefix bench/lighthouse")
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        tmp = Path(folder)
        out_dir = args.keep_json or tmp
        out_dir.mkdir(parents=True, exist_ok=True)
        settings: dict[str, object] = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'portal.sqlite'}",
            "SECRET_KEY": "lighthouse-report",
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(tmp / "mail"),
        }
        load_demo(settings)
        with gunicorn_server(settings, tmp, workers=2, threads=4) as server:
            cookie = session_cookie(server.url, "alice@example.com")
            pages = [
                ("booking page", f"/book/{SERVICE}", None),
                ("agent week", "/agent/calendar?view=week", cookie),
            ]
            print(f"{'page':<14} {'preset':<8} {'a11y':>5} {'best':>5} {'perf':>5} {'TBT ms':>7}")
            for name, path, page_cookie in pages:
                for preset in ("desktop", "mobile"):
                    out = out_dir / f"{name.replace(' ', '-')}-{preset}.json"
                    scores = lighthouse(server.url + path, preset, out, page_cookie)
                    failing = ", ".join(scores["failing"])
                    print(
                        f"{name:<14} {preset:<8} {scores['accessibility']:>5}"
                        f" {scores['best-practices']:>5} {scores['performance']:>5}"
                        f" {scores['tbt_ms']:>7}" + (f"  failing: {failing}" if failing else "")
                    )


if __name__ == "__main__":
    main()
