"""Two people in one video: the athlete is the one who performs the motion, and when that
does not tell (both do), nothing is diagnosed: the people are listed with where to point
at them, and a point picks one, in the CLI, the coach and the app's thumbnails.

The clips are real (../shared/data/video, used by path): two of them side by side, made
with ffmpeg in the test's temporary folder and removed with it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from sportsgpt.agent import new_coach
from sportsgpt.agent.state import CoachRequest
from sportsgpt.cli.main import main
from sportsgpt.kb import KnowledgeBase
from sportsgpt.tools.kismam import motion_check
from sportsgpt.tools.pose import AthleteChoiceError, PersonFound, extract_pose
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.render.overlay import people_thumbnails
from tests.helpers import side_by_side, two_walkers

WIDTH = 960  # each half of the side-by-side clips


@pytest.fixture(scope="module")
def clips(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    video, tmp = shared / "data" / "video", tmp_path_factory.mktemp("two_people")
    return {
        # a walker (left) and a tennis player hitting a forehand (right): only one of
        # the two performs a motion we know
        "walk_and_forehand": side_by_side(video / "walking_slouch_side.mp4",
                                          video / "negative_tennis_forehand_pro.mp4",
                                          tmp / "walk_and_forehand.mp4", "scale=1022:540"),
        # a walker beside their mirror image: both perform it, for as long
        "two_walks": two_walkers(shared, tmp),
    }  # fmt: skip


@pytest.fixture(scope="module")
def both_walk(clips: dict[str, Path]) -> list[PersonFound]:
    """The two walkers, as the refusal lists them."""
    with pytest.raises(AthleteChoiceError) as refused:
        extract_pose(clips["two_walks"], progress=False, performs=motion_check("walking_gait"))
    assert refused.value.reason == "both people found perform a walking gait, for about as long"
    return refused.value.people


def test_the_one_who_performs_the_motion_is_chosen_and_the_reason_given(
    clips: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", str(clips["walk_and_forehand"]), "--motion", "auto", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["motion"] == "walking_gait" and out["score"] is not None
    assert "the only one of the 2 people found who performs a walking gait" in out[
        "athlete_choice"]  # fmt: skip


def test_when_both_perform_it_nothing_is_judged_and_the_people_are_listed(
    clips: dict[str, Path], both_walk: list[PersonFound], capsys: pytest.CaptureFixture[str]
) -> None:
    assert [p.performs for p in both_walk] == ["walking_gait", "walking_gait"]
    assert sorted(p.point[0] < WIDTH for p in both_walk) == [False, True]  # one on each side
    assert main(["assess", str(clips["two_walks"]), "--motion", "auto", "--json"]) == 1
    said = capsys.readouterr()
    assert said.out == ""  # no verdict, and nothing but JSON would go to stdout
    error = said.err.strip().splitlines()[-1]  # after the progress bar and the log
    assert error.startswith("sportsgpt: error: ") and "Traceback" not in said.err
    assert "so I cannot tell who the athlete is (person 1: about" in error
    assert "person 2:" in error and "--pick X,Y,SECONDS (e.g. --pick " in error


def test_a_point_on_one_of_them_picks_them(
    clips: dict[str, Path], both_walk: list[PersonFound], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    right = next(p for p in both_walk if p.point[0] > WIDTH)
    pick = f"{right.point[0]:.0f},{right.point[1]:.0f},{right.time_s:.2f}"
    out = tmp_path / "right.pose.json"
    assert main(["pose", str(clips["two_walks"]), "--pick", pick, "-o", str(out), "--json",
                 "--no-progress"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["selection"]["method"] == (
        "the person at the point given")  # fmt: skip
    pose = read_motion(out)
    assert np.nanmedian(pose.positions[..., 0]) > WIDTH  # the walker on the right
    assert main(["assess", str(clips["two_walks"]), "--motion", "walking_gait", "--pick", pick,
                 "--json"]) == 0  # fmt: skip
    assessed = json.loads(capsys.readouterr().out)
    assert assessed["motion"] == "walking_gait" and assessed["occurrences"]


def test_the_coach_asks_who_and_the_app_shows_them_to_click(
    clips: dict[str, Path], both_walk: list[PersonFound], kb: KnowledgeBase, tmp_path: Path
) -> None:
    coach = new_coach(tmp_path / "work", kb=kb)
    reply = coach.ask(CoachRequest(message="Analyse my walk.", files=[str(clips["two_walks"])]))
    assert "so I cannot tell who the athlete is" in reply.answer
    assert "--pick" not in reply.answer and "What helps" not in reply.answer
    assert reply.state.assessment is None
    found = coach.ctx.people
    assert found is not None and len(found.people) == 2
    thumbs = people_thumbnails(found.video, found.people, tmp_path / "people")
    assert [t.name for t in thumbs] == ["person_1.png", "person_2.png"]
    for thumb in thumbs:
        image = cv2.imread(str(thumb))
        assert image is not None and image.shape[0] == 240 and image.std() > 10  # a picture
    right = next(p for p in found.people if p.point[0] > WIDTH)
    again = coach.ask(CoachRequest(message="Analyse my walk.", files=[str(clips["two_walks"])],
                                   pick=(*right.point, right.time_s)))  # fmt: skip
    assert again.state.assessment is not None and again.state.assessment.motion == "walking_gait"
    assert coach.ctx.people is None


def test_a_small_server_among_larger_people_is_looked_at_again_and_chosen(
    shared: Path,
) -> None:
    """A coaching edit (../shared/data/video): a rally, a coach talking, a returner, then
    one serve seen from behind and above (the server about 85 px tall). The server's
    first-pass pose shows no serve; looked at again in crops, as the athlete would be, it
    does, and they are the athlete."""
    clip = shared / "data" / "video" / "tennis_serve_behind_elevated_instruction_edit.mp4"
    run = extract_pose(clip, progress=False, performs=motion_check("auto"))
    chosen = next(p for p in run.report.selection.people if p.athlete)
    assert chosen.performs == "tennis_serve" and chosen.first_frame >= 200
    assert not any(p.performs for p in run.report.selection.people if not p.athlete)
    assert "the only one of the 3 people found who performs a tennis serve" in (
        run.report.selection.method
    )
