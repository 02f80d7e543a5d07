"""The built site in a real browser (Debian's chromium through Playwright), served over HTTP.

Each page type loads without console errors, broken internal links or images; the copy
button copies the BibTeX; pages hold at 390 and 1440 px in light and dark themes (the
screenshots go to ``test-artifacts/browser/``); axe-core finds no serious or critical
violation. Requests that leave the site are answered empty and listed, so that a new
third-party dependency cannot slip in unnoticed.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from proceedings.build import Output

from conftest import ROOT, MiniSite

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# Everything a page needs, MathJax included, is served with the site.
THIRD_PARTY: set[str] = set()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium: tools/install.sh installs it"),
]

PAGES = {
    "home": "index.html",
    "edition": "iclr2026/index.html",
    "overview": "iclr2026/overview.html",
    "papers": "iclr2026/papers/index.html",
    "paper": "iclr2026/papers/ex01-dual-use-audit/paper.html",
    "anonymous-paper": "iclr2026/papers/ex03-anonymous-surveillance/paper.html",
    "authors": "iclr2026/authors.html",
    "funding": "iclr2026/funding.html",
    "search": "search.html?q=landmine",
    "edition-without-papers": "neurips2026/index.html",
    "call-for-papers": "neurips2026/call-for-papers.html",
    "information-for-authors": "neurips2026/information-for-authors.html",
    "authors-across-editions": "authors.html",
    "organizers-guide": "organizers-guide.html",
}
AUDITED = (
    "home", "papers", "paper", "anonymous-paper", "authors", "funding", "search",
    "edition-without-papers", "call-for-papers", "information-for-authors", "authors-across-editions",
    "organizers-guide",
)
WIDTHS = (390, 1440)
SCHEMES = ("light", "dark")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.cache
def _server(root: str) -> str:
    """Serve ``root`` on 127.0.0.1 for the rest of the session; the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def base(site: Output) -> str:
    return _server(str(site.html))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser context on the served site that records errors and requests leaving it."""

    def __init__(self, browser: Browser, base: str, width: int = 1440, scheme: str = "light", **options: Any):
        self.base = base
        self.errors: list[str] = []
        self.third_party: set[str] = set()
        self.context: BrowserContext = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme, **options
        )
        self.context.add_init_script(f"localStorage.setItem('theme', '{scheme}')")
        self.context.route(re.compile(rf"^(?!{re.escape(base)})"), self._elsewhere)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _elsewhere(self, route: Route) -> None:
        self.third_party.add(urlsplit(route.request.url).hostname or route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body="")

    def open(self, path: str) -> Page:
        page = self.page
        response = page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == 200, path
        if path.startswith("search.html"):
            page.wait_for_selector("#search-results ul.search li", timeout=15_000)
        return page

    def close(self) -> None:
        self.context.close()


@functools.cache
def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read()
            kind = response.headers.get_content_type()
            return response.status, body.decode("utf-8", "replace") if kind == "text/html" else ""
    except urllib.error.HTTPError as error:
        return error.code, ""


def _broken(page: Page, base: str) -> list[str]:
    """Internal links and images that do not answer 200, or whose #fragment is not on the target page."""
    problems = []
    for href in sorted(set(page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"))):
        if not href.startswith(base):
            continue
        address, _, fragment = href.partition("#")
        status, html = _fetch(address)
        if status != 200:
            problems.append(f"{href}: HTTP {status}")
        elif fragment and html and not re.search(rf'id="{re.escape(unquote(fragment))}"', html):
            problems.append(f"{href}: no #{unquote(fragment)} on the page")
    images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.currentSrc || i.src, i.naturalWidth])")
    for src, width in images:
        if width == 0 or _fetch(src)[0] != 200:
            problems.append(f"image {src} did not load")
    return problems


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_errors_or_broken_links(browser: Browser, base: str, name: str) -> None:
    visit = Visit(browser, base)
    try:
        page = visit.open(PAGES[name])
        assert visit.errors == []
        assert _broken(page, base) == []
        assert visit.third_party <= THIRD_PARTY
    finally:
        visit.close()


def test_search_finds_a_paper_by_author_and_abstract_words(browser: Browser, base: str) -> None:
    visit = Visit(browser, base)
    try:
        for query, paper in (("Muñoz", "ex01-dual-use-audit"), ("ground-penetrating", "ex04-landmine-sensing")):
            page = visit.open(f"search.html?q={query}")
            links = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
            assert any(f"/papers/{paper}/paper.html" in link for link in links), (query, links)
        assert visit.errors == []
    finally:
        visit.close()


def test_one_search_covers_both_editions(browser: Browser, base: str) -> None:
    visit = Visit(browser, base)
    try:
        found = set()
        for query in ("Paris", "Rio"):
            page = visit.open(f"search.html?q={query}")
            links = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
            found |= {link.removeprefix(base).split("/")[0] for link in links}
        assert {"neurips2026", "iclr2026"} <= found
        assert visit.errors == []
    finally:
        visit.close()


def test_copy_button_copies_the_bibtex(browser: Browser, base: str, site: Output) -> None:
    visit = Visit(browser, base, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = visit.open(PAGES["paper"])
        button = page.locator("button.paper-cite-copy")
        assert not button.is_visible()
        page.click("details.paper-cite > summary")
        button.click()
        page.wait_for_function("document.querySelector('.paper-cite-status').textContent !== ''")
        copied = page.evaluate("navigator.clipboard.readText()")
        bib = site.html / "iclr2026/papers/ex01-dual-use-audit/ex01-dual-use-audit.bib"
        assert copied.strip() == bib.read_text(encoding="utf-8").strip()
        assert page.text_content(".paper-cite-status") == "BibTeX copied."
        assert visit.errors == []
    finally:
        visit.close()


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_and_takes_the_theme(browser: Browser, base: str, width: int, scheme: str) -> None:
    visit = Visit(browser, base, width, scheme)
    try:
        for name, path in PAGES.items():
            page = visit.open(path)
            if name == "paper":
                page.click("details.paper-cite > summary")
            assert page.evaluate("document.body.dataset.theme") == scheme
            assert _fits(page), f"{name} is wider than {width} px"
            _shoot(page, f"{name}-{width}-{scheme}")
        assert visit.errors == []
    finally:
        visit.close()


def _serious(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): " + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_accessibility_audit(browser: Browser, base: str, scheme: str) -> None:
    assert AXE.is_file(), f"{AXE} is missing: tools/install.sh installs axe-core"
    visit = Visit(browser, base, scheme=scheme)
    report = {}
    try:
        for name in AUDITED:
            page = visit.open(PAGES[name])
            if name == "paper":
                page.click("details.paper-cite > summary")
            report[name] = _serious(page)
    finally:
        visit.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{scheme}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    assert report == {name: [] for name in AUDITED}


# -- a paper that pushes the layout: 40 authors, a 300-character title ----------------------

LONG_TITLE = ("Towards Verifiable Ceasefire Monitoring: " + "Multilingual, Multimodal and Participatory " * 7)[:300]


def _crowded_paper() -> str:
    authors = "\n".join(
        f"  - name: Author{number:02d} Surname-With-A-Rather-Long-Double-Barrel{number:02d}\n"
        f"    affiliations: [\"Institute number {number % 7} for Peace and Conflict Research, Somewhere Far\"]\n"
        + (f"    orcid: 0000-0002-1825-00{number:02d}\n" if number % 3 == 0 else "")
        for number in range(40)
    )
    return (
        f"---\ntitle: \"{LONG_TITLE}\"\nauthors:\n{authors}\nabstract: A paper with many authors.\n"
        "keywords: [layout, stress]\ntrack: Tiny papers\nsession: Poster session 1\n"
        "funding: The Long Named Foundation for Very Long Names, grant LNF-2026-000000000001.\n---\n\n"
        "## Introduction\n\nhttps://example.org/a/very/long/address/that/does/not/break/by/itself/anywhere/at/all\n"
    )


def test_forty_authors_and_a_long_title_keep_the_page_whole(browser: Browser, mini_site: MiniSite) -> None:
    assert len(LONG_TITLE) == 300
    mini_site.add_paper("crowded", _crowded_paper())
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    base = _server(str(mini_site.srcdir.parent / "out-html"))
    for width in WIDTHS:
        for scheme in SCHEMES:
            visit = Visit(browser, base, width, scheme)
            try:
                page = visit.open("vol/papers/crowded/paper.html")
                page.click("details.paper-cite > summary")
                assert page.locator(".paper-authors strong").count() == 40
                assert _fits(page), f"wider than {width} px"
                right = page.evaluate("document.querySelector('h1').getBoundingClientRect().right")
                assert right <= width
                _shoot(page, f"crowded-paper-{width}-{scheme}")
                if width == 390:
                    assert _serious(page) == []
                assert visit.errors == []
            finally:
                visit.close()


def test_math_is_typeset_from_the_site_itself(browser: Browser, base: str) -> None:
    visit = Visit(browser, base)
    try:
        page = visit.open(PAGES["paper"])
        page.wait_for_selector("mjx-container", timeout=15_000)
        assert page.locator("mjx-container").count() >= 3
        assert page.locator("mjx-container[display='true']").count() >= 1
        assert visit.third_party == set() and visit.errors == []
    finally:
        visit.close()
