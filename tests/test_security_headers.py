"""Page security headers, and pages that work under them: no inline script anywhere.

Regressions of issue 13: pages had no Content-Security-Policy, X-Frame-Options or X-Content-Type-Options,
and several templates ran inline scripts (which the policy now blocks).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import ALL_BUILT_INS
from tests.test_web import debts, login  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [
    ROOT / "core" / "web" / "templates",
    ROOT / "core" / "templates",
    *ROOT.glob("plugins/*/templates"),
]
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _Page(HTMLParser):
    """Collects inline scripts, event-handler attributes, javascript: URLs and same-site links."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._inline = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            kind = (values.get("type") or "").lower()
            self._inline = not values.get("src") and kind not in DATA_SCRIPT_TYPES
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline = False

    def handle_data(self, data):
        if self._inline and data.strip():
            self.problems.append("inline <script>: " + data.strip()[:60])


def _problems(html: str) -> tuple[list[str], list[str]]:
    parser = _Page()
    parser.feed(html)
    return parser.problems, parser.links


def test_templates_have_no_inline_script_or_event_handler():
    found = {}
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            bad = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text)
            bad += re.findall(r"\son[a-z]+\s*=", text)
            if bad:
                found[str(path.relative_to(ROOT))] = bad
    assert found == {}


def _crawl(client, starts: list[str], limit: int = 120) -> dict[str, list[str]]:
    """Follow same-site links from ``starts`` (GET only, no logout) and return each HTML page's problems."""
    seen: dict[str, list[str]] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        r = client.get(path)
        if r.status_code in (301, 302):
            seen[path] = []
            queue.append(urlsplit(r.headers["Location"]).path)
            continue
        assert r.status_code < 500, (path, r.status_code)
        _assert_headers(r, path)
        if r.mimetype != "text/html":
            seen[path] = []
            continue
        problems, links = _problems(r.get_data(as_text=True))
        seen[path] = problems
        for link in links:
            url = urlsplit(urljoin("http://localhost" + path, link))
            if url.netloc not in ("", "localhost") or url.path.startswith(("/logout", "/static", "/api/")):
                continue
            target = url.path + ("?" + url.query if url.query else "")
            if target not in seen and "/file" not in url.path and "download" not in url.path:
                queue.append(target)
    return seen


def _assert_headers(response, path: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], (
        path
    )
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("Referrer-Policy"), path


@pytest.mark.parametrize("username", ["office_a", "clerk_a1"])
def test_every_reachable_page_has_the_headers_and_no_inline_script(client, world, debts, username):  # noqa: F811
    login(client, username)
    pages = _crawl(client, ["/"])
    # The crawl really walked the app (core alone has fewer pages than with every built-in plugin).
    assert len(pages) > (15 if ALL_BUILT_INS else 10), sorted(pages)
    problems = {path: found for path, found in pages.items() if found}
    assert problems == {}


def test_public_and_anonymous_pages_have_the_headers_and_no_inline_script(client, world):
    pages = _crawl(
        client,
        [
            "/login",
            "/public/a/complaints/new",
            "/public/a/complaints/status",
            "/public/a/disclosure",
            "/api/docs",
            "/no-such-page",
        ],
    )
    assert {"/login", "/public/a/complaints/new", "/api/docs"} <= set(pages)
    problems = {path: found for path, found in pages.items() if found}
    assert problems == {}


def test_static_files_and_api_answers_carry_the_headers_too(client, world):
    for path in ("/static/js/app.js", "/api/v1/debts"):
        r = client.get(path)
        _assert_headers(r, path)
    r = client.get("/api/v1/debts", headers=world.headers("office_a"))
    assert r.status_code == 200
    _assert_headers(r, "/api/v1/debts")
