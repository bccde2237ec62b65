"""The report page opened in headless Chromium (Debian's, installed by deploy/local/chromium.sh
from the Makefile's install path): the browser decodes the three inlined plots (the page's own
script counts the images it could draw), and the tables are there with their rows. A screenshot
of the page is kept beside the report (and copied to .local/logs/tests/load-report.png)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support.infra import ROOT

pytestmark = [pytest.mark.e2e]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
]


def _chromium() -> str:
    return subprocess.run(
        [str(ROOT / "deploy" / "local" / "chromium.sh")], capture_output=True, text=True, check=True
    ).stdout.strip()


def _browse(*args: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="bahi-chromium-")
    try:
        return subprocess.run(
            [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_the_browser_draws_the_plots_and_the_tables(calibration_report: Path) -> None:
    page = (calibration_report / "index.html").as_uri()
    dom = _browse("--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-plots-loaded="3"' in html, html[:500]
    for table in ("overall", "thresholds", "steps", "endpoints", "statuses", "windows"):
        assert f'id="{table}"' in html, table
    windows = re.search(r'<table id="windows">.*?</table>', html, re.S)
    assert windows is not None and windows.group(0).count("<tr>") >= 3  # a header and every window
    assert "FAIL" in html and "PASS" in html  # the verdict of the thresholds the run was judged by


def test_a_screenshot_of_the_report(calibration_report: Path) -> None:
    import matplotlib.image

    shot = calibration_report / "screenshot.png"
    taken = _browse(f"--screenshot={shot}", "--window-size=1280,2200", (calibration_report / "index.html").as_uri())
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (2200, 1280)
    colours = {tuple(p) for p in (pixels[::20, ::20, :3] * 255).astype(int).reshape(-1, 3)}
    assert len(colours) > 20  # text, tables and plots, not a blank page
    keep = ROOT / ".local" / "logs" / "tests"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, keep / "load-report.png")
