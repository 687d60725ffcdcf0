"""A lecture deck works in a classroom without network: built by `python -m tools.classroom slides`,
opened from disk in headless Chromium with every network request blocked, it must run as reveal.js
slides (navigation works) with the LaTeX typeset by MathJax, and no request may leave the machine.
The screenshot of the first math slide is tests/browser/output/slides.png (an ignored folder).

Set-up: tests/browser/install.sh (run by `make test`), as for the JupyterLab test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # installed by tests/browser/install.sh
    sync_playwright = None

from test_jupyterlab_explorer import CHROMIUM, OUTPUT, _require  # the same Chromium, skip rule and output folder

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_cross_entropy.ipynb"
SCREENSHOT = OUTPUT / "slides.png"


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from tools.classroom import build_decks

    out = tmp_path_factory.mktemp("slides")
    build_decks([NOTEBOOK], out)
    return out


@pytest.mark.parametrize("deck", ["01_cross_entropy.slides.html", "01_cross_entropy.student.slides.html"])
def test_deck_runs_offline_as_slides_with_typeset_math(decks, deck):
    _require(Path(CHROMIUM).exists(), "Chromium is not installed")
    _require(sync_playwright is not None, "Playwright is not installed")
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})

        def block(route):
            if not route.request.url.startswith(("file://", "data:")):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", block)
        page.goto((decks / deck).as_uri())
        # reveal.js is loaded through require.js (as nbconvert's template does), so it is not a global:
        # read its state from the DOM. It marks the deck "ready" and the shown slide "present".
        page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=60_000)
        current = ("Array.from(document.querySelectorAll('.reveal .slides > section'))"
                   ".findIndex(s => s.classList.contains('present'))")
        total = page.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        assert total > 10, f"only {total} slides: the deck did not split into slides"
        assert page.evaluate(current) == 0
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"{current} === 1", timeout=10_000)
        # MathJax 2 typesets the whole deck; wait until its queue is empty, then look for typeset formulas.
        page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && "
                               "document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML').length > 0",
                               timeout=60_000)
        typeset = page.evaluate("document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML').length")
        # Untypeset math shows its $ delimiters in the text; typeset math replaces them.
        raw = page.evaluate("Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).some("
                            "e => /\\$\\$|\\$\\\\[a-zA-Z]/.test(e.innerText))")
        assert typeset >= 5 and not raw, f"math is not typeset: {typeset} formulas, raw LaTeX visible: {raw}"
        font = page.evaluate("MathJax.OutputJax['HTML-CSS'].fontInUse")
        assert font == "STIX-Web", f"MathJax typeset with {font!r}, not the web fonts that ship in the deck's assets"
        if deck.endswith(".student.slides.html"):
            assert "BEGIN SOLUTION" not in page.content() and "NotImplementedError" in page.content()
        else:
            # the third slide with displayed math: far enough to have been hidden while MathJax typeset it
            slide = page.evaluate("Array.from(document.querySelectorAll('.reveal .slides > section'))"
                                  ".map((s, i) => s.querySelector('.MathJax_Display') ? i : -1).filter(i => i >= 0)[2]")
            for _ in range(max(slide, 1) - 1):  # from slide 1 to the first slide with displayed math
                page.keyboard.press("ArrowRight")
            page.wait_for_timeout(1_000)  # the template re-renders the math of each new slide: let it finish
            page.wait_for_function("MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running", timeout=30_000)
            page.wait_for_timeout(1_500)
            OUTPUT.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
        browser.close()
    assert not outside, f"the deck reached for the network: {outside[:3]}"
