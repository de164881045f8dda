"""The HTML map in a real headless Chromium (system package, driven by Playwright): screenshot,
stages and lanes present, nothing wider than the page, hostile corpus text shown as text."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jm_evidence import IMG, SCRIPT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="system Chromium missing: run scripts/setup.sh --browser"),
]


@pytest.fixture(scope="module")
def page_of(tmp_path_factory, built_maps):
    from playwright.sync_api import sync_playwright

    from interviewkit.journeymap import render

    out = tmp_path_factory.mktemp("maps")
    written = render(built_maps, out, formats=("html",))
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1588, "height": 1123})
        page.on("request", lambda r: requests.append(r.url))
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def open_map(path: Path):
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            return page

        yield open_map, written["html"], out, requests, dialogs
        browser.close()


def _persona_file(files):
    return next(p for p in files if p.name != "index.html")


def test_map_renders_with_stages_and_lanes(page_of):
    open_map, files, out, requests, _ = page_of
    page = open_map(_persona_file(files))
    text = page.inner_text("body")
    for stage in ("Découverte", "Considération", "Achat", "Usage", "Fidélité"):
        assert stage in text
    for lane in ("Actions", "Points de contact", "Émotions", "Irritants", "Moments", "Opportunités"):
        assert lane in text
    shot = out / "map.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    assert page.locator("svg").count() >= 1  # emotion curve drawn
    assert all(u.startswith(("file://", "data:", "about:")) for u in requests), requests


def test_nothing_overflows_the_page(page_of):
    open_map, files, *_ = page_of
    page = open_map(_persona_file(files))
    overflow = page.evaluate(
        """() => {
            const page = document.querySelector('.page') || document.body;
            const limit = page.getBoundingClientRect().right + 1;
            const bad = [];
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.right > limit) bad.push(el.tagName + '.' + el.className);
            }
            return {bad: bad.slice(0, 10), scroll: document.documentElement.scrollWidth,
                    client: document.documentElement.clientWidth};
        }"""
    )
    assert overflow["bad"] == [], overflow
    assert overflow["scroll"] <= overflow["client"] + 1, overflow


def test_hostile_transcript_text_renders_as_text(page_of):
    open_map, files, _, _, dialogs = page_of
    for path in files:
        page = open_map(path)
        assert page.locator("script").count() == 0
        assert page.locator("img").count() == 0
    hostile = next(p for p in files if p.name == "tous-les-participants.html")
    body = open_map(hostile).inner_text("body")
    assert "<script>alert(1)</script>" in body  # shown to the reader as text
    assert "<img src=x onerror=alert(1)>" in body
    assert SCRIPT.startswith("<script>") and IMG.startswith("<img")
    assert dialogs == []
