"""The Gradio app through its API (gradio_client): analysis, follow-up, bad upload."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from sportsgpt.app import TITLE, check_upload
from sportsgpt.tools.errors import SportsGPTError

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"


def test_app_analyses_a_sample_and_answers_a_follow_up(served: str) -> None:
    from gradio_client import Client, handle_file

    client = Client(served, verbose=False)
    chat, problems, plan, gallery, plot, report, annotated, side, marks = client.predict(
        handle_file(str(SAMPLE)), "standing_long_jump", "", ["plyo box"], 2,
        api_name="/analyze",
    )  # fmt: skip
    answer = chat[-1]["content"] if isinstance(chat[-1], dict) else str(chat[-1])
    assert "Weak or late forward arm swing" in str(answer) and "[kb:" in str(answer)
    assert problems["data"] and plan["data"]
    assert "Arm swing at take-off: 46° (elite ≥ 80°)" in problems["data"][0][3]
    assert len(gallery) == 4 and plot  # four keyframes, one angle plot
    assert [Path(str(r)).suffix for r in report] == [".html", ".json", ".mp4", ".mp4"]
    # both videos come with the answer, and the keyframe list knows where each keyframe is
    for video in (annotated, side):
        path = Path(video["video"]["path"] if isinstance(video, dict) else str(video))
        assert path.suffix == ".mp4" and path.stat().st_size > 10_000
    # take-off is frame 44 at 60 fps; the side-by-side starts 0.3 s before the jump (frame 33)
    assert ["take-off", "0.733|0.483"] in marks["choices"] and marks["interactive"]
    steps = [m for m in chat if isinstance(m, dict) and (m.get("metadata") or {}).get("title")]
    assert any("Tool" in m["metadata"]["title"] for m in steps)
    chat, _ = client.predict("What is a wicket run?", chat, api_name="/ask")
    assert "[kb:" in str(chat[-1]) and "wicket" in str(chat[-1]).lower()


def test_a_video_upload_shows_the_athlete_over_the_frames_beside_the_elite(
    served: str, shared: Path
) -> None:
    import cv2
    from gradio_client import Client, handle_file

    client = Client(served, verbose=False)
    video = shared / "media" / "sports2d_demo.mp4"
    chat, problems, plan, gallery, plot, _, annotated, side, _ = client.predict(
        handle_file(str(video)), "auto", "", [], 3, api_name="/analyze"
    )
    assert annotated and side
    assert "walk" in str(chat[-1]).lower() and plot and plan["data"]
    assert problems["headers"][0] == "problem"
    assert len(gallery) == 4
    assert {g["caption"] for g in gallery} == {
        "left heel strike", "right toe off", "right heel strike", "left toe off"
    }  # fmt: skip
    image = gallery[0]["image"]
    picture = cv2.imread(str(image["path"] if isinstance(image, dict) else image))
    athlete, elite = picture[:, : picture.shape[1] // 2], picture[:, picture.shape[1] // 2 :]
    # the athlete's half is the video (a dark, coloured photo), the elite's a drawing on white
    assert athlete.mean() < 200 < elite.mean()


def test_page_names_the_product(served: str) -> None:
    import urllib.request

    page = urllib.request.urlopen(served, timeout=10).read().decode()
    assert f"<title>{TITLE}" in page or TITLE in page


def test_uploads_are_checked_by_content(tmp_path: Path) -> None:
    fake_video = tmp_path / "clip.mp4"
    fake_video.write_text("this is not a video")
    with pytest.raises(SportsGPTError):
        check_upload(str(fake_video))
    odd = tmp_path / "notes.exe"
    odd.write_bytes(b"MZ")
    with pytest.raises(SportsGPTError, match="not a video or a pose file"):
        check_upload(str(odd))
    garbage = tmp_path / "pose.json"
    garbage.write_text('{"hello": 1}')
    with pytest.raises(SportsGPTError):
        check_upload(str(garbage))
    assert check_upload(str(SAMPLE)) == SAMPLE


def test_long_videos_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sportsgpt.settings import load_settings
    from sportsgpt.tools.pose.video import probe_video
    from tests.helpers import write_video

    video = write_video(tmp_path / "long.avi", n_frames=30, fps=2.0)  # 15 s
    short = load_settings(app_max_video_s=10)
    with pytest.raises(SportsGPTError, match="lasts 15 s, over the limit of 10 s"):
        check_upload(str(video), short)
    assert check_upload(str(video), load_settings(app_max_video_s=20)) == video
    # every entry point's own limit (the input_max_video_s setting) holds as well
    monkeypatch.setenv("SPORTSGPT_INPUT_MAX_VIDEO_S", "12")
    with pytest.raises(SportsGPTError, match="over the limit of 12 s"):
        probe_video(video)


def test_the_history_tab_shows_what_the_athlete_analysed(served: str, tmp_path: Path) -> None:
    """An analysis made in the app for a named athlete is in their history (PostgreSQL):
    the History tab's plot and table, and the coach's answer about progress."""
    import uuid

    from gradio_client import Client, handle_file

    name = f"gus-{uuid.uuid4().hex[:6]}"
    week = tmp_path / "gus_week1.csv"
    week.write_bytes(SAMPLE.read_bytes() + b"\n" * (2 + uuid.uuid4().int % 10_000))
    client = Client(served, verbose=False)
    client.predict(handle_file(str(week)), "standing_long_jump", "", [], 3, "auto", name,
                   api_name="/analyze")  # fmt: skip
    plot, table, note = client.predict(name, "all", api_name="/history")
    assert f"1 analyses of {name}" in note and Path(str(plot)).stat().st_size > 10_000
    [row] = table["data"]
    assert row[1] == "standing_long_jump" and row[2] == "gus_week1.csv" and row[3] == 74
    assert "Weak or late forward arm swing: Arm swing at take-off: 46° (elite ≥ 80°)" in row[4]
    chat, _ = client.predict("How am I progressing on my arm swing?", [], name, api_name="/ask")
    assert "Only 1 analysis of your standing long jump" in str(chat[-1])
    _, empty, note = client.predict(f"nobody-{uuid.uuid4().hex[:6]}", "all", api_name="/history")
    assert "No analysis is kept" in note and not empty["data"]


def test_two_browser_sessions_share_nothing(served: str) -> None:
    """Two browsers at once, each for its own athlete: what one analysed and said of their
    knee never reaches the other's answers, plan or history."""
    from gradio_client import Client, handle_file

    tag = uuid.uuid4().hex[:6]
    tom, jo = f"tom-{tag}", f"jo-{tag}"
    tom_tab, jo_tab = Client(served, verbose=False), Client(served, verbose=False)
    chat, *_ = tom_tab.predict(
        handle_file(str(SAMPLE)), "standing_long_jump", "", [], 3, "auto", tom,
        api_name="/analyze",
    )  # fmt: skip
    assert "Weak or late forward arm swing" in str(chat)
    chat, _ = tom_tab.predict("my knee aches when I land", chat, tom, api_name="/ask")
    chat, _ = tom_tab.predict("give me a 3 day plan", chat, tom, api_name="/ask")
    assert "knee, which you told me hurts" in str(chat[-1])  # tom's own constraint
    first, _ = jo_tab.predict("which problem should I fix first?", [], jo, api_name="/ask")
    plan, _ = jo_tab.predict("give me a 3 day plan", first, jo, api_name="/ask")
    for answer in (str(first[-1]), str(plan[-1])):
        for leaked in ("Weak or late forward arm swing", "Take-off too steep", "your knee",
                       "which you told me hurts", "your standing long jump"):  # fmt: skip
            assert leaked not in answer, (leaked, answer)
    _, past, note = jo_tab.predict(jo, "all", api_name="/history")
    assert not (past or {}).get("data") and tom not in str(note)
    _, past, _ = tom_tab.predict(tom, "all", api_name="/history")
    # his recording's analyses (those of the same file made for others in this test run
    # too: the history is kept by recording, docs/kb.md), and nothing of any other file
    assert ["standing_long_jump", SAMPLE.name] in [row[1:3] for row in past["data"]]
    assert {row[2] for row in past["data"]} == {SAMPLE.name}
