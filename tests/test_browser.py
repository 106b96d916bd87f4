"""The EM stepper in a real JupyterLab page, driven by headless chromium.

Starts its own JupyterLab (the Python running pytest, so the kernel is this
environment's) on a free localhost port with a random token, opens a notebook
that shows ``em_stepper``, runs it, moves the slider with the keyboard, and
checks that the readout and the image changed to the frame the slider names.
Then it shuts the kernel down and moves the slider again: the frames travel
with the widget and the links act in the browser, so the picture still
changes. The time from a key press to the new picture, with and without the
kernel, is printed (``pytest -s``), not asserted. A screenshot goes to
``test-artifacts/``. The server is stopped whatever happens.

Skipped where playwright or /usr/bin/chromium is missing, unless
``GMM_TEACH_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes that a failure.
"""

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright
except ImportError:  # require_browser() turns this into a skip or a failure
    PlaywrightTimeoutError = sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# Shared CI machines can be slow to start a server, a kernel and a page.
STARTUP_TIMEOUT_S = 90
UI_TIMEOUT_MS = 60_000
STOP_TIMEOUT_S = 20
ARROW_PRESSES = 3

NOTEBOOK_SOURCE = """\
import sys
assert sys.prefix == {prefix!r}, f"the kernel runs {{sys.executable}}, not the tested Python"
from gmm_teach.data import make_ds
from gmm_teach.em import fit_gmm
from gmm_teach.widgets import em_stepper

(X, y), _ = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]])
em_stepper(X, fit_gmm(X, 4, random_state=0), true_labels=y)
"""

# JupyterLab otherwise asks whether to fetch news and checks for updates:
# a pop-up and network traffic this test does not want.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


def skip_or_fail(reason):
    """Skip for want of ``reason``, or fail where the browser tests are required (CI)."""
    if os.environ.get("GMM_TEACH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; GMM_TEACH_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(reason)


def require_browser():
    missing = []
    if sync_playwright is None:
        missing.append("the playwright package (pip install -e '.[browser]')")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    if missing:
        skip_or_fail("browser test needs " + " and ".join(missing))


def expected_stepper():
    """The notebook's stepper, built here: what every frame should show."""
    from gmm_teach.data import make_ds
    from gmm_teach.em import fit_gmm
    from gmm_teach.widgets import em_stepper

    (X, y), _ = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]])
    return em_stepper(X, fit_gmm(X, 4, random_state=0), true_labels=y)


def write_notebook(directory):
    directory.mkdir()
    cell = nbformat.v4.new_code_cell(NOTEBOOK_SOURCE.format(prefix=sys.prefix))
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
    }
    nbformat.write(notebook, directory / "stepper.ipynb")
    return "stepper.ipynb"


def write_settings(directory):
    for name, settings in QUIET_SETTINGS.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lab(tmp_path, notebooks, port, token):
    """Start JupyterLab on ``notebooks``, with settings, workspaces and runtime files in tmp_path.

    JUPYTER_DATA_DIR is left alone: the widgets' lab extension and the python3
    kernel spec live in this environment's share/jupyter, which stays on the path.
    """
    settings = tmp_path / "user-settings"
    write_settings(settings)
    env = os.environ | {
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]
    with open(tmp_path / "jupyterlab.log", "wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, tmp_path / "jupyterlab.log"


def wait_until_up(server, port, token, log_path):
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {STARTUP_TIMEOUT_S} s:\n{tail(log_path)}")


def stop(server):
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # The kernel watches its parent and exits when the server is gone.
        server.kill()
        server.wait()


def tail(log_path, n_chars=3000):
    return log_path.read_text(errors="replace")[-n_chars:]


def shown(page):
    """The slider's number, the readout line and the image's src, as the page shows them."""
    return (
        int(page.inner_text(".widget-slider .widget-readout")),
        page.inner_text(".gmm-teach-readout").strip(),
        page.get_attribute(".jp-OutputArea-output img", "src"),
    )


def image_bytes(page):
    """The PNG the page shows, fetched from the img's blob URL."""
    as_base64 = page.evaluate(
        """async () => {
            const src = document.querySelector('.jp-OutputArea-output img').src;
            const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
            let text = '';
            for (const b of bytes) text += String.fromCharCode(b);
            return btoa(text);
        }"""
    )
    return base64.b64decode(as_base64)


def wait_for_kernel(page):
    # The toolbar's indicator says "idle" before a kernel even exists; the
    # status bar says "Initializing", then "Unknown", then "Idle" once connected.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                    .some(item => item.innerText.trim().endsWith('| Idle'))""",
        timeout=UI_TIMEOUT_MS,
    )


def run_first_cell(page, attempts=3):
    """Shift+Enter in the first cell until its prompt shows it was sent to the kernel."""
    for _ in range(attempts):
        page.click(".jp-Cell .jp-InputArea-editor")
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                """() => /\\[(\\*|\\d+)\\]/.test(
                        document.querySelector('.jp-Cell .jp-InputPrompt').innerText)""",
                timeout=15_000,
            )
            return
        except PlaywrightTimeoutError:
            continue  # the key press came before the kernel could take it: press again
    pytest.fail(f"the notebook's cell did not run after {attempts} Shift+Enter")


def show_stepper(page, notebook_url, log_path):
    page.goto(notebook_url, timeout=UI_TIMEOUT_MS)
    wait_for_kernel(page)
    run_first_cell(page)
    try:
        page.wait_for_selector(".jp-OutputArea-output img", timeout=UI_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(
            f"the stepper did not appear. Notebook:\n{page.inner_text('.jp-Notebook')}\n"
            f"Server log:\n{tail(log_path)}"
        )


def wait_for_frame(page, readouts, pngs):
    """Wait until the readout and the picture are those of the frame the slider is on, past 0.

    The readout's Stack shows its new child before the images' Stack (an
    ``<img>`` takes longer to make), so the picture is waited for too.
    """
    page.wait_for_function(
        """(readouts) => {
            const slider = document.querySelector('.widget-slider .widget-readout');
            const frame = parseInt(slider.innerText, 10);
            const readout = document.querySelector('.gmm-teach-readout').innerText.trim();
            return frame > 0 && readout === readouts[frame];
        }""",
        arg=readouts,
        timeout=UI_TIMEOUT_MS,
    )
    frame = shown(page)[0]
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while image_bytes(page) != pngs[frame]:
        if time.monotonic() > deadline:
            pytest.fail(f"the slider and readout are on frame {frame}, the picture is not")
        time.sleep(0.1)


def timed_arrow_press(page, readouts, pngs):
    """Press ArrowRight on the slider; the milliseconds until a new picture, and what is shown.

    Timed in the page: from the key press to the moment an ``img`` with a new
    ``src`` (the next frame's) is in the output area.
    """
    page.evaluate(
        """() => {
            const area = document.querySelector('.jp-OutputArea-output');
            const clock = {src: area.querySelector('img').src, pressed: null, pictured: null};
            window.gmmTeachClock = clock;
            document.addEventListener('keydown', () => { clock.pressed ??= performance.now(); },
                                      {capture: true, once: true});
            new MutationObserver((_, observer) => {
                const img = area.querySelector('img');
                if (clock.pressed !== null && img && img.src !== clock.src) {
                    clock.pictured = performance.now();
                    observer.disconnect();
                }
            }).observe(area, {subtree: true, childList: true, attributes: true});
        }"""
    )
    page.click(".widget-slider .noUi-handle")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.gmmTeachClock.pictured !== null", timeout=UI_TIMEOUT_MS)
    wait_for_frame(page, readouts, pngs)
    latency = page.evaluate("() => window.gmmTeachClock.pictured - window.gmmTeachClock.pressed")
    return latency, shown(page) + (image_bytes(page),)


def shut_down_kernels(port, token):
    """Shut every kernel of the server down, through its REST API, and wait until none is left."""
    headers = {"Authorization": f"token {token}"}
    base = f"http://127.0.0.1:{port}/api/kernels"

    def kernels():
        with urllib.request.urlopen(urllib.request.Request(base, headers=headers)) as response:
            return json.load(response)

    for kernel in kernels():
        request = urllib.request.Request(f"{base}/{kernel['id']}", method="DELETE",
                                         headers=headers)
        urllib.request.urlopen(request).close()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while kernels():
        if time.monotonic() > deadline:
            pytest.fail(f"the kernel was still running {STOP_TIMEOUT_S} s after its shutdown")
        time.sleep(0.2)


def wait_for_no_kernel(page):
    # The page hears of the shutdown over its websocket; until then a key press
    # could still be answered by a kernel, which is what this test rules out.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                    .some(item => !/\\| (Idle|Busy)$/.test(item.innerText.trim())
                                  && /\\| /.test(item.innerText))""",
        timeout=UI_TIMEOUT_MS,
    )


def drive_stepper(page, notebook_url, log_path, readouts, pngs, shut_down):
    """Run the notebook and move the slider, with the kernel, then after ``shut_down()``.

    Returns
    -------
    before, with_kernel, without_kernel : tuple
        What was shown (slider frame, readout, img src, PNG bytes) at the
        start, after ARROW_PRESSES presses, and after one more press with no
        kernel.
    latencies : tuple of float
        Milliseconds from a key press to the new picture, with and without kernel.
    """
    show_stepper(page, notebook_url, log_path)
    before = shown(page) + (image_bytes(page),)
    latency_with_kernel, _ = timed_arrow_press(page, readouts, pngs)
    for _ in range(ARROW_PRESSES - 1):
        page.keyboard.press("ArrowRight")
    wait_for_frame(page, readouts, pngs)
    with_kernel = shown(page) + (image_bytes(page),)
    shut_down()
    wait_for_no_kernel(page)
    latency_without_kernel, without_kernel = timed_arrow_press(page, readouts, pngs)
    return before, with_kernel, without_kernel, (latency_with_kernel, latency_without_kernel)


def test_missing_chromium_skips_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("GMM_TEACH_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs .*no-chromium"):
        require_browser()


def test_missing_chromium_fails_when_the_browser_is_required(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("GMM_TEACH_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="GMM_TEACH_REQUIRE_BROWSER=1"):
        require_browser()


@pytest.mark.browser
def test_em_stepper_in_jupyterlab(tmp_path):
    require_browser()
    expected = expected_stepper()
    readouts = [expected.frames[index].label for index in range(expected.slider.max + 1)]
    pngs = [image.value for image in expected.images.children]
    notebooks = tmp_path / "notebooks"
    notebook = write_notebook(notebooks)
    port, token = free_port(), secrets.token_hex(16)
    notebook_url = f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"
    server, log_path = start_lab(tmp_path, notebooks, port, token)
    try:
        wait_until_up(server, port, token, log_path)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT_MS)
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                before, after, no_kernel, latencies = drive_stepper(
                    page, notebook_url, log_path, readouts, pngs,
                    shut_down=lambda: shut_down_kernels(port, token))
                status = page.evaluate(
                    """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                                .map(item => item.innerText.trim())
                                .filter(text => text.includes('| ')).join(' ')""")
            finally:
                page.screenshot(path=str(ARTIFACTS / "em_stepper_browser.png"), full_page=True)
                browser.close()
    finally:
        stop(server)

    (frame_before, readout_before, src_before, png_before) = before
    (frame_after, readout_after, src_after, png_after) = after
    assert (frame_before, readout_before) == (0, readouts[0])
    assert png_before == pngs[0]
    assert 0 < frame_after <= ARROW_PRESSES
    assert readout_after == readouts[frame_after]
    assert src_after != src_before
    assert png_after == pngs[frame_after]

    # With no kernel: the slider moved on, and so did the picture and the readout.
    (frame_no_kernel, readout_no_kernel, src_no_kernel, png_no_kernel) = no_kernel
    assert frame_no_kernel == frame_after + 1
    assert readout_no_kernel == readouts[frame_no_kernel]
    assert src_no_kernel != src_after
    assert png_no_kernel == pngs[frame_no_kernel]
    print(f"\nJupyterLab, slider key press to new picture: {latencies[0]:.0f} ms with the "
          f"kernel, {latencies[1]:.0f} ms with it shut down (kernel status: {status!r})")
