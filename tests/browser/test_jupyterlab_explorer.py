"""End to end in a real browser: JupyterLab on loopback, the augmentation notebook run in headless
Chromium, a slider of the augmentation explorer moved, and the displayed image checked to change.

Set-up: tests/browser/install.sh (run by `make test`). Outside CI the test skips when Chromium or
Playwright is missing; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # installed by tests/browser/install.sh
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "04_data_augmentation.ipynb"
# What a run leaves behind (screenshot, JupyterLab's log) goes to an ignored folder: make test leaves git status clean.
OUTPUT = ROOT / "tests" / "browser" / "output"
SCREENSHOT = OUTPUT / "explorer.png"
LOG = OUTPUT / "jupyterlab.log"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _require(condition: bool, what: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{what} (CI must run the browser test: see tests/browser/install.sh)")
        pytest.skip(f"{what}: run tests/browser/install.sh")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up_to_the_explorer(path: Path) -> dict:
    """The notebook's cells up to the first code cell after the one that shows the explorer."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    shown = next(i for i, cell in enumerate(cells) if "AugmentationExplorer(" in "".join(cell["source"]))
    after = next(i for i in range(shown + 1, len(cells)) if cells[i]["cell_type"] == "code")
    notebook["cells"] = cells[: after + 1]
    return notebook


@pytest.fixture
def jupyterlab(tmp_path):
    # JupyterLab serves a copy: it saves the notebook it ran (autosave, every 120 s), and the stored
    # outputs in notebooks/ must never be overwritten by a test run. The copy ends with the explorer's
    # cells: the training further down is nbval's to check, and would only make this test slow.
    (tmp_path / NOTEBOOK).write_text(json.dumps(_up_to_the_explorer(ROOT / "notebooks" / NOTEBOOK)), encoding="utf-8")
    port, token = _free_port(), "course-browser-test"
    OUTPUT.mkdir(exist_ok=True)
    log = open(LOG, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
         f"--ServerApp.root_dir={tmp_path}"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "COURSE_PROGRESS": "0"},
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"JupyterLab did not start: see {log.name}")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_explorer_slider_changes_the_image(jupyterlab):
    _require(Path(CHROMIUM).exists(), "Chromium is not installed")
    _require(sync_playwright is not None, "Playwright is not installed")
    stored = (ROOT / "notebooks" / NOTEBOOK).read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        outside: list[str] = []  # the course works offline: JupyterLab's page may only talk to its own server

        def only_local(route):
            if route.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        page.route("**/*", only_local)
        page.goto(jupyterlab)
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                               "window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel", timeout=120_000)
        kernel = page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name")
        assert kernel == "feature-extraction"
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # The copy's cells run (photos, the explorer and its static view); wait for the kernel to finish them.
        page.wait_for_selector(".augmentation-explorer .augmentation-explorer-image", timeout=300_000)
        page.wait_for_function(
            "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle' && "
            "![...document.querySelectorAll('.jp-InputArea-prompt')].some(e => e.textContent.includes('*'))",
            timeout=400_000, polling=1000)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] "
                              ".jp-RenderedText:has-text('Traceback')")
        assert errors.count() == 0, "a cell raised an error in JupyterLab"

        explorer = page.locator(".augmentation-explorer").first
        explorer.scroll_into_view_if_needed()
        image = explorer.locator(".augmentation-explorer-image").first
        before = image.get_attribute("src")
        handle = explorer.locator(".widget-slider .noUi-handle, .widget-slider input[type=range]").first
        handle.focus()
        for _ in range(15):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, src]) => el.getAttribute('src') !== src", arg=[image.element_handle(), before],
                               timeout=30_000)
        after = image.get_attribute("src")
        explorer.screenshot(path=str(SCREENSHOT))
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")  # what autosave would do
        page.wait_for_timeout(2_000)
        browser.close()
    assert before and after and before != after
    assert (ROOT / "notebooks" / NOTEBOOK).read_bytes() == stored, "the test changed the stored notebook"
    assert not outside, f"JupyterLab's page reached for the network: {outside[:3]}"
    log = LOG.read_text(encoding="utf-8")
    assert "Extension Manager is 'readonly'" in log, "the extension manager would query PyPI (make setup)"
    assert "pypi" not in log.lower().replace("extension manager is 'readonly'", ""), "JupyterLab mentioned PyPI"
