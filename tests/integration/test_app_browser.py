"""The app in a real browser: Debian chromium driven by playwright (never
`playwright install`). Upload the sample, wait for the answer, check the keyframe
images, the angle plot and the plan table rendered, ask a follow-up, then analyse a
video and check its keyframe pictures; screenshots are
kept as artefacts (SPORTSGPT_SCREENSHOTS, default the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"
)


def test_coach_in_a_real_browser(served: str, tmp_path: Path, shared: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("SPORTSGPT_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        # playwright gives the browser a fresh, empty profile of its own
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(served)
        expect(page).to_have_title("SportsGPT")
        page.locator("input[type=file]").first.set_input_files(str(SAMPLE))
        page.get_by_role("button", name="Analyse").click()
        expect(page.get_by_text("Weak or late forward arm swing").first).to_be_visible(
            timeout=240_000
        )
        page.screenshot(path=str(shots / "answer.png"), full_page=True)

        page.get_by_role("tab", name="Plan").click()
        expect(page.get_by_text("Arm-swing jumps").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(shots / "plan.png"), full_page=True)
        page.get_by_role("tab", name="Keyframes").click()
        expect(page.locator("img[src*='keyframe_']").first).to_be_visible(timeout=30_000)
        assert page.locator("img[src*='keyframe_']").count() >= 4
        page.screenshot(path=str(shots / "keyframes.png"), full_page=True)
        page.get_by_role("tab", name="Angles").click()
        expect(page.locator("img[src*='angles']").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(shots / "angles.png"), full_page=True)

        box = page.get_by_label("Ask a follow-up")
        box.fill("What is a wicket run?")
        box.press("Enter")
        expect(page.get_by_text("What are wicket runs?").first).to_be_visible(timeout=120_000)
        page.screenshot(path=str(shots / "follow_up.png"), full_page=True)

        # a new analysis, of a video: the athlete over its frames beside the elite's pose
        page.get_by_role("button", name="New analysis").click()
        expect(page.locator("img[src*='keyframe_']")).to_have_count(0, timeout=30_000)
        video = shared / "media" / "sports2d_demo.mp4"
        page.locator("input[type=file]").first.set_input_files(str(video))
        page.get_by_role("button", name="Analyse").click()
        page.get_by_role("tab", name="Keyframes").click()
        expect(page.get_by_text("left heel strike").first).to_be_visible(timeout=240_000)
        assert page.locator("img[src*='keyframe_']").count() == 4
        page.screenshot(path=str(shots / "keyframes_video.png"), full_page=True)
        browser.close()
