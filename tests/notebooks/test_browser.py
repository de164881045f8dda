"""JupyterLab in the system Chromium: run notebook 02, click « Accept » in the reviewer widget and find the
decision in the store; run notebook 04 and check the map preview (screenshots kept under a temp folder).

JupyterLab listens on 127.0.0.1 (free port, token, no browser) with a temporary copy of ``notebooks/`` as
root, a temporary JUPYTER_PATH whose python3 kernel is this interpreter, and the session's demo project.
The server is always stopped. Nothing is installed or downloaded.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from nb_helpers import NOTEBOOKS, env_without_proxies

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
RUN_TIMEOUT_MS = 300_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(demo_dir, jupyter_env, tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of notebooks/; yields (url, token, root, log)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the system Chromium (scripts/setup.sh --browser)")
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns("exports", ".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(16)
    env = env_without_proxies()
    env.update(JUPYTER_PATH=os.environ["JUPYTER_PATH"], JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), JUPYTER_DATA_DIR=str(base / "data"),
               INTERVIEWKIT_DEMO_PROJECT=str(demo_dir), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    log = base / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.workspaces_dir={base / 'workspaces'}", f"--LabApp.user_settings_dir={base / 'settings'}",
           "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        cmd.append("--allow-root")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=str(root),
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}; log: {log}\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within 120 s; log: {log}")
            time.sleep(0.5)
        yield url, token, root, log
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def _open_and_run_all(browser, url, token, name, shots, log):
    """A fresh browser context and a fresh JupyterLab workspace (so no other notebook is restored and
    active), the notebook opened, then Run → Run All Cells; returns the page once a cell has started."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    workspace = "ik-" + name.split(".")[0].replace("_", "-")
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?token={token}&reset", wait_until="domcontentloaded")
    try:
        panel = page.locator(".jp-NotebookPanel:visible").first
        panel.locator(".jp-Cell").first.wait_for(timeout=120_000)
        page.locator(".lm-TabBar-tab.lm-mod-current", has_text=name).first.wait_for(timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=120_000)
        for button in page.locator(".jp-toast-button", has_text="No").all():  # the "Jupyter news?" toast
            button.click()
        started = panel.locator(".jp-InputPrompt", has_text=re.compile(r"\[(\*|\d+)\]")).first
        for attempt in range(4):  # the kernel may not take requests yet right after it reports idle
            panel.locator(".jp-Cell").first.click()
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item:visible", has_text="Run All Cells").first.click()
            try:
                started.wait_for(timeout=20_000)
                break
            except Exception:  # noqa: BLE001
                if attempt == 3:
                    raise
    except Exception as exc:  # noqa: BLE001 - add the screenshot and the server log to the message
        shot = shots / f"{name}-open-failed.png"
        page.screenshot(path=str(shot), full_page=True)
        pytest.fail(f"could not open and run {name}: {exc}\nscreenshot: {shot}\nserver log: {log}")
    return page


def _fail(page, shots, what, exc, log):
    shot = shots / f"failed-{int(time.time())}.png"
    page.screenshot(path=str(shot), full_page=True)
    pytest.fail(f"{what}: {exc}\nscreenshot: {shot}\nserver log: {log}")


def test_review_accept_click_is_stored(lab, browser, demo_dir, shots):
    url, token, root, log = lab
    db = demo_dir / "interviewkit.sqlite"

    def decisions() -> int:
        conn = sqlite3.connect(str(db), timeout=30)
        try:
            return conn.execute("SELECT COUNT(*) FROM decisions WHERE action = 'accept'").fetchone()[0]
        finally:
            conn.close()

    before = decisions()
    page = _open_and_run_all(browser, url, token, "02_coding.ipynb", shots, log)
    try:
        accept = page.locator(".ik-review .ik-accept").first
        accept.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
        accept.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "02_coding-before-accept.png"))
        accept.click()
        page.locator(".ik-saved", has_text="saved").first.wait_for(timeout=60_000)
    except Exception as exc:  # noqa: BLE001
        _fail(page, shots, "the reviewer widget did not show or save", exc, log)
    deadline = time.monotonic() + 30
    while decisions() <= before and time.monotonic() < deadline:
        time.sleep(0.5)
    page.screenshot(path=str(shots / "02_coding-after-accept.png"))
    assert decisions() == before + 1, f"no accept decision stored; screenshots in {shots}"
    conn = sqlite3.connect(str(db))
    row = conn.execute("SELECT action, coder, segment_id FROM decisions ORDER BY event_id DESC LIMIT 1").fetchone()
    conn.close()
    assert row[0] == "accept" and row[1] and row[2].startswith("D")
    page.context.close()


def test_journey_map_preview_shows_stages(lab, browser, shots):
    url, token, root, log = lab
    page = _open_and_run_all(browser, url, token, "04_journey_maps.ipynb", shots, log)
    try:
        frame = page.frame_locator("iframe.ik-map-frame").first
        frame.locator("body").wait_for(timeout=RUN_TIMEOUT_MS)
        text = frame.locator("body").inner_text(timeout=60_000)
        page.locator("iframe.ik-map-frame").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)  # let the frame paint before the screenshot
        page.screenshot(path=str(shots / "04_journey_maps-preview.png"))
        page.screenshot(path=str(shots / "04_journey_maps-full.png"), full_page=True)
    except Exception as exc:  # noqa: BLE001
        _fail(page, shots, "the map preview did not show", exc, log)
    for stage in ("Découverte", "Considération", "Achat", "Livraison / réalisation", "Usage", "Assistance / SAV",
                  "Fidélité / départ"):
        assert stage in text, f"stage {stage!r} missing from the map preview; screenshots in {shots}"
    assert "Tous les participants" in text
    # the persona picker switches the preview
    page.locator(".ik-persona select").select_option("Actif pressé")
    page.wait_for_function("() => [...document.querySelectorAll('iframe.ik-map-frame')]"
                           ".some(f => (f.getAttribute('srcdoc') || '').includes('Actif pressé'))", timeout=60_000)
    page.screenshot(path=str(shots / "04_journey_maps-persona.png"))
    assert (shots / "04_journey_maps-preview.png").stat().st_size > 10_000
    page.context.close()
