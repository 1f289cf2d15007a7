"""Headless Chromium for the tests, and JupyterLab started as the README tells a user to (``jupyter lab``).

Playwright for Python drives the system's Chromium (``scripts/system-packages.sh --browser``
installs Debian's ``chromium``; Playwright's own browser download is never used). Without a
Chromium the browser tests skip, saying why, except in CI (``CI`` or ``RESEARCH_REQUIRE_BROWSER``
set, as ``.ci/run`` does), where they fail.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from research import config

CHROMIUMS = ("chromium", "chromium-browser", "google-chrome")
#: A page counts as blank when fewer of its first screen's pixels than this are not white.
INKED = 0.01
#: Glyph-less characters (plane-16 private use): every font lacks them, so they render as boxes.
TOFU = "\U0010fffd"


def chromium() -> str:
    """The system Chromium's path (``RESEARCH_CHROMIUM`` overrides); skips, or fails in CI, without it."""
    path = os.environ.get("RESEARCH_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUMS)), None)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path, why = None, "the Python package playwright is missing (pip install -e \".[test]\")"
    else:
        why = "no Chromium (run `bash scripts/system-packages.sh --browser`)"
    if path is None:
        if any(os.environ.get(v, "").lower() not in ("", "0", "false") for v in ("CI", "RESEARCH_REQUIRE_BROWSER")):
            pytest.fail(f"{why}, and CI must run the browser tests")
        pytest.skip(why)
    return path


@contextmanager
def launched():
    """A headless Chromium (Playwright ``Browser``), closed on exit."""
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


# --------------------------------------------------------------------------------------------
# an HTML paper as a reader sees it
# --------------------------------------------------------------------------------------------

_CJK_RUNS = """() => {
  // every run of Chinese characters where it stands: its width, and each character drawn on a canvas
  // in the element's font beside a glyph-less character, which every font draws as its box
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (ch, family) => {
    ctx.clearRect(0, 0, 48, 48); ctx.font = `32px ${family}`; ctx.fillText(ch, 4, 38);
    return ctx.getImageData(0, 0, 48, 48).data.join();
  };
  const runs = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const style = getComputedStyle(node.parentElement), box = draw("%s", style.fontFamily);
    const blank = draw(" ", style.fontFamily);
    for (const m of node.data.matchAll(/[\\u3400-\\u9fff]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const width = [...range.getClientRects()].reduce((w, r) => w + r.width, 0);
      const boxes = [...m[0]].filter(ch => [box, blank].includes(draw(ch, style.fontFamily))).join("");
      runs.push({text: m[0], width, boxes, em: parseFloat(style.fontSize)});
    }
  }
  return runs;
}""" % TOFU

_BROKEN_IMAGES = """() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
                                             .map(i => (i.alt || i.src).slice(0, 60))"""

_VISIBLE_ANCHORS = """() => [...document.querySelectorAll("a.anchor-link")]
  .filter(a => { const s = getComputedStyle(a); return s.display !== "none" && s.visibility !== "hidden"
                                                       && parseFloat(s.opacity) > 0; })
  .map(a => a.parentElement.textContent.trim().slice(0, 40))"""

# a column's alignment against its cells: text (a word, not a number's unit) left, numbers (−9.77***,
# (2.10), [−1.2, 3.4], 277.96 USD) right; dates and times either
_MISALIGNED = r"""() => {
  const n = String.raw`[−+-]?\d[\d,]*(\.\d+)?`;
  const number = new RegExp(String.raw`^[(\[]?${n}\s*(%|\p{L}{1,3})?(\s\p{L}{1,3})?\**(,\s*${n}\s*%?)?[)\]]?$`, "u");
  const out = [];
  for (const table of document.querySelectorAll("table.research-table")) {
    const rows = [...table.querySelectorAll("tbody tr")].filter(r => r.cells.length > 1);
    const width = Math.max(0, ...rows.map(r => r.cells.length));
    for (let j = 1; j < width; j++) {
      const cells = rows.map(r => r.cells[j]).filter(c => c && c.textContent.trim());
      if (!cells.length) continue;
      const text = cells.some(c => /\p{L}{2}/u.test(c.textContent) && !number.test(c.textContent.trim()));
      const numbers = cells.every(c => number.test(c.textContent.trim()));
      if (!text && !numbers) continue;
      const want = text ? "left" : "right";
      const bad = cells.filter(c => getComputedStyle(c).textAlign !== want);
      const head = table.tHead ? table.tHead.rows[0].cells[j] : null;
      if (head && getComputedStyle(head).textAlign !== want) bad.push(head);
      if (bad.length) out.push(`${table.id} column ${j} (${head ? head.textContent : "?"}): ${want === "left" ?
        "text" : "numbers"} aligned ${getComputedStyle(bad[0]).textAlign}`);
    }
  }
  return out;
}"""


@dataclass
class Look:
    """What a reader sees of a page: its first screen (PNG) and what is wrong with it."""

    screenshot: Path
    problems: list[str]
    cjk: list[dict]


def look_at(browser, html: Path, screenshot: Path) -> Look:
    """Open ``html`` in a fresh page, screenshot its first screen, and list what a reader would see
    wrong: console errors, a blank first screen, broken images, Chinese characters drawn as boxes,
    visible pilcrow anchors, and table columns aligned against their content."""
    from matplotlib.image import imread

    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(html.resolve().as_uri(), wait_until="load", timeout=60_000)
        screenshot.write_bytes(page.screenshot())
        problems = [f"console error: {e}" for e in errors]
        pixels = imread(io.BytesIO(screenshot.read_bytes()), format="png")[..., :3]
        inked = float((pixels.mean(axis=-1) < 0.9).mean())
        if inked < INKED:
            problems.append(f"blank first page ({inked:.2%} of its pixels inked; {screenshot})")
        problems += [f"broken image: {alt}" for alt in page.evaluate(_BROKEN_IMAGES)]
        cjk = page.evaluate(_CJK_RUNS)
        for run in cjk:
            # a character drawn as the glyph-less one (or as nothing) is a box; and an ideograph is one em
            # wide in every CJK font, where a Latin font's box is narrower
            per_char = run["width"] / len(run["text"]) / run["em"]
            if run["boxes"] or not 0.85 < per_char < 1.15:
                problems.append(f"Chinese characters drawn as boxes: {run['text']} (boxes: {run['boxes'] or '-'}; "
                                f"{per_char:.2f} em a character)")
        problems += [f"visible pilcrow anchor in heading: {h}" for h in page.evaluate(_VISIBLE_ANCHORS)]
        problems += [f"misaligned column: {c}" for c in page.evaluate(_MISALIGNED)]
        return Look(screenshot, problems, cjk)
    finally:
        page.close()


# --------------------------------------------------------------------------------------------
# JupyterLab
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    process: subprocess.Popen
    log: Path

    def api(self, path: str, method: str = "GET"):
        """The server's REST API at ``/api/{path}``; ``lab/api/...`` for JupyterLab's own."""
        url = f"{self.url}/{path}" if path.startswith("lab/") else f"{self.url}/api/{path}"
        request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


def jupyter_lab() -> list[str]:
    """``jupyter lab`` of this environment, as the README tells a user to start it (``--allow-root``
    where the tests run as root, as in a container)."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", *(["--allow-root"] if root else [])]


@contextmanager
def jupyterlab(folder: Path, *, command: list[str] | None = None, timeout: float = 120):
    """``jupyter lab`` (or ``command``) run from the project folder on a free local port, with a home
    of its own, ``folder/home``: no setting of this machine's user (``~/.jupyter``, ``JUPYTER_*``,
    ``XDG_*``) decides what opens; a test puts the user's settings it wants there first. Stopped on
    exit whatever happened: its kernels shut down, then the server, killed if it hangs."""
    port, token = free_port(), "research-browser-test"
    command = command or jupyter_lab()
    home = folder / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY", "XDG_"))}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_TOKEN=token)
    log = folder / "lab.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*command, f"--port={port}"], cwd=config.PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                lab.api("status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not answer in {timeout:.0f} s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield lab
    finally:
        _stop(lab)


def _stop(lab: Lab) -> None:
    if lab.process.poll() is None:
        try:
            for kernel in lab.api("kernels") or []:
                lab.api(f"kernels/{kernel['id']}", method="DELETE")
        except OSError:
            pass
        lab.process.terminate()
        try:
            lab.process.wait(10)
        except subprocess.TimeoutExpired:   # jupyter_server can hang in its extensions' shutdown
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait(10)
