"""Open every page of the built HTML book in headless Chromium, with the network cut off.

The book is served from a thread on an ephemeral 127.0.0.1 port; every request to any other
host is aborted (and fails the page), so a pass proves the book renders offline. Per page:
no console error and no uncaught exception, no failed or >= 400 request, no broken <img>, and
every nglview widget draws a non-blank WebGL canvas.

Environment:

- ``MDREPRO_HTML``: the built book (default ``<repo>/_build/html``).
- ``MDREPRO_CHROMIUM``: the browser (default ``/usr/bin/chromium``; Debian package
  ``chromium``; playwright drives it, its own browser download is never used).
- ``MDREPRO_REQUIRE_BROWSER=1``: fail, instead of skipping, when the book, the browser or
  playwright is missing (CI sets it after building the book).
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("MDREPRO_HTML") or REPO / "_build" / "html")
CHROMIUM = Path(os.environ.get("MDREPRO_CHROMIUM") or "/usr/bin/chromium")
REQUIRE = os.environ.get("MDREPRO_REQUIRE_BROWSER") == "1"

# Headless, no GPU (WebGL falls back to SwiftShader, allowed explicitly because Chromium is
# phasing out the silent fallback), nothing phoned home. Playwright itself adds --headless and
# a fresh temporary --user-data-dir for every launch (it refuses one in `args`).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SKIP_NAMES = {"genindex.html", "search.html", "py-modindex.html"}
# Console errors and uncaught exceptions that come from the Jupyter Book 1 stack on every page,
# whatever the content; each entry says why and how to remove it.
KNOWN_UPSTREAM_ERRORS = [
    # Sphinx 7.4 re-adds body-only <script>s registered after the builder started
    # (prepare_writing uses filename '' instead of None, so they are not de-duplicated):
    # sphinx-thebe's `const THEBE_JS_URL = ...` appears twice in every page. Harmless (same
    # values). Goes away with a Sphinx that de-duplicates them (8.x, which Jupyter Book 1 does
    # not allow) or a local extension that drops duplicate inline scripts.
    re.compile(r"Identifier 'THEBE_JS_URL' has already been declared"),
    # pydata-sphinx-theme on a first visit (empty localStorage) with no default mode set;
    # `html_context: {default_mode: light}` (or auto) in _config.yml's sphinx.config fixes it.
    re.compile(r"Got invalid theme mode: \. Resetting to auto\."),
]
PAGE_TIMEOUT_MS = 60_000
CANVAS_TIMEOUT_S = 30.0
MIN_CANVAS_STD = 2.0  # grey-level standard deviation (0-255) of a drawn, non-blank canvas


def _missing() -> list[str]:
    """What the browser test needs and does not find."""
    missing = []
    if not (HTML / "index.html").is_file():
        missing.append(f"no built book at {HTML} (build it with `make html`, or set MDREPRO_HTML)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"no Chromium at {CHROMIUM} (`apt-get install -y chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright python package is not installed (extra [test])")
    return missing


MISSING = _missing()
if MISSING and not REQUIRE:
    pytest.skip("; ".join(MISSING), allow_module_level=True)


def _pages() -> list[str]:
    """Every book page, relative to HTML (posix), without Sphinx's generated index pages."""
    if not HTML.is_dir():
        return []
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        rel = path.relative_to(HTML)
        if rel.name in SKIP_NAMES or any(part.startswith("_") for part in rel.parts[:-1]):
            continue  # _sources, _static, _widgets, _images: assets, not pages
        pages.append(rel.as_posix())
    return pages


PAGES = _pages()


def test_browser_prerequisites():
    """With MDREPRO_REQUIRE_BROWSER=1, a missing book, browser or playwright is a failure."""
    if MISSING:
        pytest.fail(
            "MDREPRO_REQUIRE_BROWSER=1 but the browser test cannot run: " + "; ".join(MISSING),
            pytrace=False,
        )
    assert PAGES, f"no HTML page found under {HTML}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def base_url():
    """Serve HTML on an ephemeral 127.0.0.1 port from a daemon thread."""
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if MISSING:
        pytest.fail("; ".join(MISSING), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _is_local(url: str, base_url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return urlsplit(url).netloc == urlsplit(base_url).netloc


def _known_upstream(text: str) -> bool:
    return any(p.search(text) for p in KNOWN_UPSTREAM_ERRORS)


_BROKEN_IMAGES_JS = """
async () => {
  const imgs = [...document.images];
  for (const img of imgs) { img.loading = "eager"; }
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  return imgs.filter((img) => img.naturalWidth === 0).map((img) => img.currentSrc || img.src);
}
"""

_NGL_VIEW_COUNT_JS = """
() => {
  const states = [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-state+json"]')];
  const ngl = new Set();
  for (const s of states) {
    const state = JSON.parse(s.textContent).state || {};
    for (const [id, m] of Object.entries(state)) {
      if (m.model_name === "NGLModel") ngl.add(id);
    }
  }
  const views = [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')];
  return views.filter((v) => ngl.has(JSON.parse(v.textContent).model_id)).length;
}
"""


def _canvas_std(png: bytes) -> float:
    """Standard deviation of the grey levels (0-255) of a PNG image."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        grey = np.asarray(im.convert("L"), dtype=float)
    return float(grey.std())


_REDIRECT = re.compile(
    r"""<meta\s+http-equiv=["']refresh["']\s+content=["'][^"']*url=([^"']+)["']""", re.I
)


@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(page_path, base_url, browser):
    redirect = _REDIRECT.search((HTML / page_path).read_text(encoding="utf-8"))
    if redirect:  # Jupyter Book's index.html: check the target exists; it is tested itself
        target = (HTML / page_path).parent / redirect.group(1).split("#")[0]
        assert target.is_file(), f"{page_path} redirects to a missing page {target}"
        return
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, service_workers="block"
    )
    problems: list[str] = []
    blocked: list[str] = []

    def route(r):
        if _is_local(r.request.url, base_url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    def on_console(msg):
        if msg.type == "error" and not _known_upstream(msg.text):
            if blocked and "ERR_INTERNET_DISCONNECTED" in msg.text:
                return  # reported once, with its URL, as a network request below
            problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def on_pageerror(exc):
        text = f"{getattr(exc, 'name', '')}: {getattr(exc, 'message', exc)}"
        if not _known_upstream(text):
            problems.append(f"uncaught exception: {text}")

    def on_requestfailed(req):
        if _is_local(req.url, base_url):
            problems.append(f"request failed: {req.url} ({req.failure})")

    def on_response(resp):
        if resp.status >= 400 and _is_local(resp.url, base_url):
            problems.append(f"HTTP {resp.status}: {resp.url}")

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("requestfailed", on_requestfailed)
    page.on("response", on_response)
    try:
        page.goto(base_url + page_path, wait_until="load")

        broken = page.evaluate(_BROKEN_IMAGES_JS)
        problems += [f"broken image (naturalWidth 0): {src}" for src in broken]

        n_ngl = page.evaluate(_NGL_VIEW_COUNT_JS)
        if n_ngl:
            problems += _check_ngl_canvases(page, n_ngl)
        page.wait_for_timeout(500)  # late console errors of asynchronous loaders
        # Snapshot before closing: requests cut short by the close are not the page's fault.
        found = list(problems)
        found += [f"request to the network (blocked): {url}" for url in dict.fromkeys(blocked)]
    finally:
        context.close()
    assert not found, f"{page_path}:\n  " + "\n  ".join(found)


def _check_ngl_canvases(page, n_views: int) -> list[str]:
    """Wait for ``n_views`` NGL canvases and for each to show a drawn (non-blank) image."""
    import time

    try:
        page.wait_for_function(
            f"document.querySelectorAll('canvas').length >= {n_views}",
            timeout=CANVAS_TIMEOUT_S * 1000,
        )
    except Exception:  # playwright's TimeoutError
        found = page.evaluate("document.querySelectorAll('canvas').length")
        return [f"{n_views} nglview widget(s) but {found} <canvas> after {CANVAS_TIMEOUT_S} s"]
    canvases = page.locator("canvas")
    problems = []
    deadline = time.monotonic() + CANVAS_TIMEOUT_S
    for i in range(canvases.count()):
        canvas = canvases.nth(i)
        canvas.scroll_into_view_if_needed()
        std = 0.0
        while True:
            std = _canvas_std(canvas.screenshot())
            if std > MIN_CANVAS_STD or time.monotonic() > deadline:
                break
            page.wait_for_timeout(500)
        if std <= MIN_CANVAS_STD:
            box = canvas.bounding_box() or {}
            problems.append(
                f"canvas {i} is blank (grey-level std {std:.2f} <= {MIN_CANVAS_STD}; "
                f"size {box.get('width')}x{box.get('height')})"
            )
    return problems


def test_widget_assets_are_vendored():
    """The widget loader's files are in the built book, so no page needs a CDN for them."""
    widgets = HTML / "_widgets"
    for rel in (
        "require.js",
        "offline-widgets.js",
        "embed-amd.js",
        "nglview-js-widgets@4.0/dist/index.js",
    ):
        assert (widgets / rel).is_file(), f"missing {widgets / rel}: see book/_widgets/README.md"
    for page in PAGES:
        text = (HTML / page).read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-state+json" in text:
            assert "cdn.jsdelivr.net" not in text and "cdnjs.cloudflare.com" not in text, (
                f"{page} loads widget JavaScript from a CDN: check nb_ipywidgets_js"
            )
