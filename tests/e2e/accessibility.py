"""axe-core in a Playwright page, and the width check for phones.

``axe.min.js`` comes from npm, pinned by ``tests/e2e/js/package-lock.json``
(``npm ci --prefix tests/e2e/js``). ``axe_script()`` is None when it is not
installed; the tests skip then (and fail when ``CI=true``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def axe_script() -> str | None:
    return AXE_PATH.read_text() if AXE_PATH.exists() else None


def settle(page) -> None:
    """Wait until htmx has no request open and its fades (200 ms) are over."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.wait_for_timeout(300)


def axe_violations(page, script: str | None = None) -> list[dict]:
    """axe's violations of every impact on the page as it is now (WCAG 2.x A/AA and best practice).

    Each violation is axe's own dict (``id``, ``impact``, ``help``, ``nodes`` ...).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Run through the DevTools protocol, which the portal's CSP (script-src 'self') allows.
        page.evaluate(script or axe_script())
    return page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
            }));
        }"""
    )


def violation_counts(violations: list[dict]) -> Counter:
    """Rule id -> number of failing elements."""
    return Counter({v["id"]: len(v["nodes"]) for v in violations})


def describe(violations: list[dict], limit: int = 3) -> str:
    """A readable summary for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:limit]:
            lines.append(f"    {node['target']}")
    return "\n".join(lines)


def page_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def overflowing_elements(page, limit: int = 5) -> list[str]:
    """The outermost elements sticking out past the viewport's right edge (for messages)."""
    return page.evaluate(
        """(limit) => {
            const width = window.innerWidth, found = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.right > width + 1 && !found.some(f => f.contains(el))) {
                    // Content scrolled or clipped inside a box that itself fits is fine.
                    let clipped = false;
                    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                        if (getComputedStyle(p).overflowX !== 'visible'
                            && p.getBoundingClientRect().right <= width + 1) {
                            clipped = true; break;
                        }
                    }
                    if (!clipped) found.push(el);
                }
            }
            return found.slice(0, limit).map(el =>
                el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                ' right=' + Math.round(el.getBoundingClientRect().right));
        }""",
        limit,
    )
