"""The course website (``make book``) in a real browser, served from 127.0.0.1 only.

Builds the site with book/build.py (the lessons' stored outputs, nothing
executed) into a temporary folder, serves it with ``http.server`` in a thread on
a free localhost port, and drives Debian's chromium through Playwright. Every
request whose host is not 127.0.0.1 is recorded and fails the test, as does any
request the site answers with an error and any JavaScript error. Checked: the
entry page lists the lessons in order, math is typeset by the site's own
MathJax, figures load, the folded answers are there, the search page finds a
lesson, and on the 05 page moving the EM stepper's slider changes the picture
and the readout with no kernel anywhere.

The widget links are also checked on a site built from a small notebook of this
test's own, executed here with nbclient (what nbconvert --execute runs): an
``ipywidgets.Stack`` of three ``Image`` frames whose ``selected_index`` is
``jslink``-ed to an ``IntSlider``, itself ``jslink``-ed to a ``Play``: the
stepper's mechanism, independent of the lessons' stored state.

Needs the book extra (Sphinx, myst-nb) and the JavaScript from package-lock.json
in node_modules/ (``npm ci``, run here when it is missing). Skipped where the
book extra, playwright or /usr/bin/chromium is missing, unless
``GMM_TEACH_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes that a failure.
"""

import functools
import http.server
import importlib.util
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PlaywrightTimeoutError,
    require_browser,
    skip_or_fail,
)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # require_browser() turns this into a skip or a failure
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[1]
UI_TIMEOUT_MS = 60_000
LESSONS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))

pytestmark = pytest.mark.browser

STACK_NOTEBOOK = """\
import io
import ipywidgets as widgets
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

def png(colour):
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.set_facecolor(colour)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()

frames = [widgets.Image(value=png(colour), format="png") for colour in ("red", "green", "blue")]
stack = widgets.Stack(frames, selected_index=0)
slider = widgets.IntSlider(value=0, min=0, max=len(frames) - 1, description="frame")
play = widgets.Play(value=0, min=0, max=len(frames) - 1, interval=300)
widgets.jslink((slider, "value"), (stack, "selected_index"))
widgets.jslink((play, "value"), (slider, "value"))
widgets.VBox([widgets.HBox([play, slider]), stack])
"""


def load_build_module():
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_book_extra():
    """Sphinx and myst-nb (the book extra), like the browser: a skip, or a failure in CI."""
    missing = [name for name in ("sphinx", "myst_nb", "sphinx_book_theme", "nbclient")
               if importlib.util.find_spec(name) is None]
    if missing:
        skip_or_fail(f"the site test needs {', '.join(missing)} (pip install -e '.[book]')")


@pytest.fixture(scope="module")
def book_build():
    require_browser()
    require_book_extra()
    build = load_build_module()
    if build.missing_javascript():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node_modules/ lacks the site's JavaScript and npm is missing (Node.js)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    return build


@pytest.fixture(scope="module")
def lesson_site(book_build, tmp_path_factory):
    return book_build.build_site(tmp_path_factory.mktemp("lessons") / "site")


@pytest.fixture(scope="module")
def stack_site(book_build, tmp_path_factory):
    work = tmp_path_factory.mktemp("stack")
    # Named like a lesson: the index's toctree takes "[0-9]*" (an unlisted page is a
    # warning, and warnings fail the build).
    source = work / "00_stack_stepper.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(STACK_NOTEBOOK)])
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell("# A stack stepper"))
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
    }
    nbformat.write(notebook, source)
    from nbclient import NotebookClient

    # What `jupyter nbconvert --execute` does, with nbclient (myst-nb's dependency):
    # the widget state, LinkModels included, goes to the notebook's metadata.
    NotebookClient(notebook, kernel_name="python3", store_widget_state=True,
                   timeout=120).execute()
    executed = work / "executed" / source.name
    executed.parent.mkdir()
    nbformat.write(notebook, executed)
    return book_build.build_site(work / "site", notebooks=[executed])


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A static server on ``site`` and a page that records what leaves 127.0.0.1."""

    def __init__(self, browser, site):
        handler = functools.partial(QuietHandler, directory=str(site))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(UI_TIMEOUT_MS)
        self.outside, self.failed, self.errors = [], [], []
        self.in_flight = {}
        self.closed = False
        self.context.on("request", self._request)
        self.page.on("requestfinished", lambda request: self.in_flight.pop(id(request), None))
        self.page.on("requestfailed", lambda request: self.in_flight.pop(id(request), None))
        self.page.on("requestfailed", lambda request: self.failed.append(
            f"{request.url} ({request.failure})"))
        self.page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.url} (HTTP {response.status})"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request):
        self.in_flight[id(request)] = request.url
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname != "127.0.0.1":
            self.outside.append(request.url)

    def open(self, path):
        """Load ``path`` and wait until the network is idle.

        On a loaded shared machine the idle wait has twice run out on a random
        lesson page; a second load of the same page settles it, and a second
        time-out names the requests still open.
        """
        for attempt in (1, 2):
            self.in_flight.clear()
            self.page.goto(self.base + path, wait_until="load")
            try:
                self.page.wait_for_load_state("networkidle")
                return self.page
            except PlaywrightTimeoutError:
                if attempt == 2:
                    pytest.fail(f"{path}: the network never went idle; still open: "
                                f"{sorted(set(self.in_flight.values()))[:10]}")

    def close(self, screenshot=None):
        if self.closed:
            return
        self.closed = True
        if screenshot:
            ARTIFACTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
        self.context.close()
        self.server.shutdown()
        self.server.server_close()

    def assert_clean(self):
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.failed == [], f"requests failed: {self.failed}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"


@pytest.fixture
def visit(browser):
    visits = []

    def start(site):
        visits.append(Visit(browser, site))
        return visits[-1]

    yield start
    for item in visits:
        item.close()


# JavaScript: the src of the one widget image that is shown, and how many are shown.
SHOWN_IMAGE = """() => {
    const shown = [...document.querySelectorAll('.widget-stack img, .widget-image')]
        .filter(img => img.getBoundingClientRect().width > 0 && img.checkVisibility());
    return shown.length === 1 ? shown[0].src : `${shown.length} images shown`;
}"""


def wait_for_widgets(page):
    page.wait_for_selector(".widget-slider .noUi-handle")
    page.wait_for_function(f"() => ({SHOWN_IMAGE})().startsWith('blob:')")


def slider_value(page):
    return int(page.inner_text(".widget-slider .widget-readout"))


# JavaScript: text of the lesson that still holds TeX delimiters after MathJax ran
# (code, outputs and typeset math excluded).
LEFT_AS_TEX = r"""() => {
    const left = [];
    const walker = document.createTreeWalker(document.querySelector('article'),
                                             NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (node.parentElement.closest('pre, code, script, mjx-container, .cell_output')) continue;
        if (/\$|\\\(|\\\[/.test(node.textContent)) left.push(node.textContent.trim().slice(0, 80));
    }
    return left;
}"""

FIGURES = """imgs => imgs.filter(img => !img.classList.contains('widget-image'))
    .map(img => [img.getAttribute('src'), img.naturalWidth])"""


def typeset(page):
    """Wait until the site's MathJax has typeset the page."""
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


def test_lesson_pages_math_figures_answers_and_search(lesson_site, visit):
    site = visit(lesson_site)
    index = site.open("index.html")
    links = index.eval_on_selector_all(
        ".bd-sidebar a.reference.internal", "links => links.map(a => a.getAttribute('href'))")
    lesson_links = [link.split("#")[0] for link in links if link.split("#")[0] != "index.html"]
    assert [link.removesuffix(".html") for link in dict.fromkeys(lesson_links)] == LESSONS

    for lesson in LESSONS:
        page = site.open(f"{lesson}.html")
        typeset(page)
        assert page.locator("article mjx-container").count() > 0, f"{lesson}: no math typeset"
        assert page.evaluate(LEFT_AS_TEX) == [], f"{lesson}: math left as TeX"
        sizes = page.eval_on_selector_all("article img", FIGURES)
        assert all(width > 0 for _, width in sizes), f"{lesson}: figures not loaded: {sizes}"
    # Lesson 01 draws densities; lesson 00's diagrams were notebook attachments.
    for lesson, at_least in (("00_introduction", 2), ("01_gaussian_pdf", 3)):
        page = site.open(f"{lesson}.html")
        assert len(page.eval_on_selector_all("article img", FIGURES)) >= at_least, lesson

    details = page.locator("article details")
    assert details.count() > 0, "the folded answers are missing"
    assert not details.first.evaluate("d => d.open")
    details.first.locator("summary").click()
    assert details.first.evaluate("d => d.open")

    page = site.open("search.html?q=responsibilities")
    page.wait_for_selector("#search-results li a")
    found = page.eval_on_selector_all(
        "#search-results li a", "links => links.map(a => a.getAttribute('href'))")
    assert any(link.startswith("03_e_step.html") for link in found), found
    site.assert_clean()
    site.close(screenshot="site_search.png")


def test_stack_of_images_linked_to_slider_and_play_without_kernel(stack_site, visit):
    site = visit(stack_site)
    page = site.open("00_stack_stepper.html")
    wait_for_widgets(page)
    first = page.evaluate(SHOWN_IMAGE)
    assert slider_value(page) == 0

    page.click(".widget-slider .noUi-handle")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"(first) => ({SHOWN_IMAGE})() !== first", arg=first)
    second = page.evaluate(SHOWN_IMAGE)
    assert second.startswith("blob:") and slider_value(page) == 1

    # Play drives the slider (a jslink), which drives the stack (another).
    page.click(".widget-play button")
    page.wait_for_function("() => document.querySelector('.widget-slider .widget-readout')"
                           ".innerText.trim() === '2'")
    page.wait_for_function(f"(seen) => !seen.includes(({SHOWN_IMAGE})())", arg=[first, second])
    site.assert_clean()
    site.close(screenshot="site_stack_stepper.png")


# The stepper's readout line (gmm_teach.widgets), as shown.
SHOWN_READOUT = """() => [...document.querySelectorAll('.gmm-teach-readout')]
    .filter(node => node.checkVisibility()).map(node => node.innerText.trim()).join(' | ')"""


def test_em_stepper_on_the_05_page_without_kernel(lesson_site, visit):
    """Needs lesson 05 executed with the Stack-based stepper (widget state in the notebook)."""
    site = visit(lesson_site)
    page = site.open("05_em_loop.html")
    wait_for_widgets(page)
    before, readout = page.evaluate(SHOWN_IMAGE), page.evaluate(SHOWN_READOUT)
    assert readout.startswith("start"), readout
    value = slider_value(page)
    page.click(".widget-slider .noUi-handle")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"(before) => ({SHOWN_IMAGE})() !== before", arg=before,
                           timeout=10_000)
    assert slider_value(page) == value + 1
    assert page.evaluate(SHOWN_IMAGE).startswith("blob:")
    assert page.evaluate(SHOWN_READOUT).startswith("iteration 1, after the E-step")
    site.assert_clean()
    site.close(screenshot="site_05.png")
