"""The app in a real browser: Debian chromium driven by playwright (never
`playwright install`), at desktop width and at phone width (390 px). Upload the sample,
wait for the answer, check both sides of the chat, the keyframe images, the angle plot,
the plan table, both videos playing and the jump to a keyframe, ask a follow-up with
Enter, then analyse a video; screenshots are kept as artefacts (SPORTSGPT_SCREENSHOTS,
default the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import two_walkers

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"
DESKTOP = {"width": 1400, "height": 1100}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"
)

PLAYS = """async (id) => {
  const video = document.querySelector(`#${id} video`);
  if (!video) { return {found: false}; }
  video.muted = true;
  try { await video.play(); } catch (e) { return {found: true, error: String(e)}; }
  await new Promise((done) => setTimeout(done, 1200));
  video.pause();
  return {found: true, time: video.currentTime, width: video.videoWidth,
          ready: video.readyState, error: video.error && video.error.code,
          duration: video.duration};
}"""
"""Play a video for a moment in the page: how far it got, and what the browser decoded."""


def _tab(page: Any, name: str) -> None:
    """A tab by name, from the overflow menu when the page is too narrow to show it."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(
        ".overflow-menu button, button.overflow-menu, [class*=overflow] button"
    ).first.click()
    page.get_by_role("tab", name=name).or_(page.get_by_role("button", name=name)).last.click()


def _analyse_sample(page: Any, expect: Any) -> None:
    page.locator("input[type=file]").first.set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Analyse").click()
    expect(page.locator("#coach-chat").get_by_text("Weak or late forward arm swing").first
           ).to_be_visible(timeout=240_000)  # fmt: skip


def _user_says(page: Any, expect: Any, text: str) -> None:
    """The athlete's own message is in the chat, on the user's side, and visible."""
    mine = page.locator('#coach-chat [data-testid="user"]').filter(has_text=text).last
    mine.scroll_into_view_if_needed()
    expect(mine).to_be_visible()


def _ask_with_enter(page: Any, expect: Any) -> None:
    """A follow-up sent with Enter: answered, and the question stays in the chat."""
    box = page.get_by_label("Ask a follow-up")
    box.fill("What is a wicket run?")
    box.press("Enter")
    expect(page.get_by_text("What are wicket runs?").first).to_be_visible(timeout=120_000)
    _user_says(page, expect, "What is a wicket run?")


def _videos_play(page: Any, expect: Any) -> list[dict[str, Any]]:
    _tab(page, "Videos")
    played = []
    for elem in ("annotated-video", "side-video"):
        expect(page.locator(f"#{elem} video")).to_be_attached(timeout=120_000)
        state = page.evaluate(PLAYS, elem)
        assert state["found"] and not state.get("error"), state
        assert state["width"] > 0 and state["ready"] >= 2 and state["time"] > 0.2, state
        played.append(state)
    return played


def test_coach_in_a_real_browser(served: str, tmp_path: Path, shared: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("SPORTSGPT_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        # playwright gives the browser a fresh, empty profile of its own
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=DESKTOP)
        page.goto(served)
        expect(page).to_have_title("SportsGPT")
        _analyse_sample(page, expect)
        _user_says(page, expect, "standing_long_jump_side.csv")
        page.screenshot(path=str(shots / "answer.png"), full_page=True)

        _tab(page, "Plan")
        expect(page.get_by_text("Arm-swing jumps").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(shots / "plan.png"), full_page=True)
        _tab(page, "Assessment")
        expect(page.get_by_text("Arm swing at take-off: 46° (elite ≥ 80°)").first).to_be_visible()
        page.screenshot(path=str(shots / "assessment.png"), full_page=True)
        _tab(page, "Keyframes")
        expect(page.locator("img[src*='keyframe_']").first).to_be_visible(timeout=30_000)
        assert page.locator("img[src*='keyframe_']").count() >= 4
        page.screenshot(path=str(shots / "keyframes.png"), full_page=True)
        _tab(page, "Angles")
        expect(page.locator("img[src*='angles']").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(shots / "angles.png"), full_page=True)

        # both videos play in chromium (H.264), and the keyframe list moves both players
        played = _videos_play(page, expect)
        assert abs(played[0]["duration"] - 107 / 60) < 0.1  # one frame per recorded frame
        page.get_by_label("Jump to a keyframe").click()
        page.get_by_role("option", name="take-off").click()
        page.wait_for_timeout(500)
        at = page.evaluate("document.querySelector('#annotated-video video').currentTime")
        assert abs(at - 44 / 60) < 0.05, at  # take-off is frame 44 of the sample
        page.screenshot(path=str(shots / "videos.png"), full_page=True)

        # a follow-up: Enter sends, and the athlete's question stays in the chat
        _ask_with_enter(page, expect)
        page.screenshot(path=str(shots / "follow_up.png"), full_page=True)

        # a new analysis, of a video: the athlete over its frames beside the elite's pose
        page.get_by_role("button", name="New analysis").click()
        expect(page.locator("img[src*='keyframe_']")).to_have_count(0, timeout=30_000)
        video = shared / "media" / "sports2d_demo.mp4"
        page.locator("input[type=file]").first.set_input_files(str(video))
        page.get_by_role("button", name="Analyse").click()
        _tab(page, "Keyframes")
        expect(page.get_by_text("left heel strike").first).to_be_visible(timeout=240_000)
        assert page.locator("img[src*='keyframe_']").count() == 4
        page.screenshot(path=str(shots / "keyframes_video.png"), full_page=True)
        browser.close()


def test_the_page_works_at_phone_width(served: str, tmp_path: Path) -> None:
    """390 px: nothing wider than the screen, the form above the chat, both sides of the
    conversation, Enter sends, the videos play."""
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("SPORTSGPT_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                has_touch=True)  # fmt: skip
        page.goto(served)
        expect(page).to_have_title("SportsGPT")
        _analyse_sample(page, expect)
        _user_says(page, expect, "standing_long_jump_side.csv")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"] + 1, f"the page is {wide} px wide on a 390 px screen"
        chat = page.locator("#coach-chat").bounding_box()
        form = page.get_by_role("button", name="Analyse").bounding_box()
        assert chat and form and chat["width"] >= 330 and chat["y"] > form["y"]
        page.screenshot(path=str(shots / "phone_answer.png"), full_page=False)
        _ask_with_enter(page, expect)
        page.screenshot(path=str(shots / "phone_follow_up.png"), full_page=False)
        _videos_play(page, expect)
        page.locator("#annotated-video").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "phone_videos.png"), full_page=False)
        browser.close()


def test_two_people_are_shown_to_click_and_the_one_clicked_is_analysed(
    served: str, tmp_path: Path, shared: Path
) -> None:
    """Two walkers side by side: no diagnosis, their thumbnails to click; a click on one
    analyses them."""
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("SPORTSGPT_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    clip = two_walkers(shared, tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=DESKTOP)
        page.goto(served)
        page.locator("input[type=file]").first.set_input_files(str(clip))
        page.get_by_role("button", name="Analyse").click()
        chat = page.locator("#coach-chat")
        expect(chat.get_by_text("so I cannot tell who the athlete is").first).to_be_visible(
            timeout=240_000)  # fmt: skip
        people = page.locator("#people img")
        expect(people).to_have_count(2, timeout=60_000)
        expect(people.first).to_be_visible()
        assert "--pick" not in chat.inner_text()  # the app's own words, no CLI option
        page.screenshot(path=str(shots / "people.png"), full_page=True)
        people.nth(1).click()
        expect(chat.get_by_text("Diagnosis: walking gait").first).to_be_visible(timeout=240_000)
        expect(page.locator("#people")).to_be_hidden(timeout=30_000)
        page.screenshot(path=str(shots / "people_chosen.png"), full_page=True)
        browser.close()
