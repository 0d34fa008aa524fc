"""Safety triage: pain, injury and red flags in the athletes' own words, and what follows."""

from __future__ import annotations

import pytest

from sportsgpt.agent.safety import cleared, detect_concern, lexicon, loads_area, referral
from sportsgpt.agent.tools import KBHit
from sportsgpt.agent.understand import understand
from sportsgpt.agent.verify import DOSE_LIKE
from sportsgpt.kb.queries import AthleteContext

PAIN = [
    ("My hamstring is sore, should I still do the lean broad jumps?", ["hamstring"]),
    ("my knee hurts when i land", ["knee"]),
    ("I think I pulled my hammy in the last rep", ["hamstring"]),
    ("Sharp pain in the back of my thigh during sprints", ["hamstring"]),
    ("achilles has been achy since saturday", ["achilles"]),
    ("I rolled my ankle yesterday, can I still train?", ["ankle"]),
    ("Shin splints again :( what now", ["shin"]),
    ("my lower back aches after the sled pushes", ["back"]),
    ("Shoulder is painful when I serve", ["shoulder"]),
    ("I strained my calf last week", ["calf"]),
    ("got a niggle in my groin", ["groin"]),
    ("Tennis elbow is flaring up", []),  # no symptom word: not triaged (see below)
    ("my knees are swollen after jumping", ["knee"]),
    ("hip flexor feels tender", ["hip"]),
    ("I tore my ACL last year and I'm still in rehab", ["knee"]),
    ("feet are killing me, plantar pain", ["foot"]),
    ("quad cramping on every sprint", ["quadriceps"]),
    ("Is it ok to train with a stress fracture?", []),
    ("I'm injured", []),
    ("wrist hurts after serving practice", ["wrist"]),
    ("my hamstrings are really sore, shld i skip the nordics", ["hamstring"]),
    ("Kneecap pain going down stairs", ["knee"]),
    ("twinged something in my calf", ["calf"]),
    ("I have tendinitis in my achilles", ["achilles"]),
    ("recovering from a hamstring strain", ["hamstring"]),
    ("my coach says I have a sprained ankle", ["ankle"]),
]
RED_FLAGS = [
    "I get chest pain when I sprint",
    "felt dizzy after the last rep",
    "I fainted at the end of training",
    "my left arm goes numb during serves",
    "short of breath and my heart was racing",
    "I hit my head when I fell on the landing",
    "light-headed and blurred vision after the hill sprints",
]
NOT_CONCERNS = [
    "What was my knee angle at take-off?",
    "What is a wicket run?",
    "Give me injury prevention drills for my hamstrings",
    "I have no sled and I train twice a week",
    "How do I keep my back straight at the start?",
    "Which problem should I fix first?",
    "compare with my last video",
    "my knee doesn't hurt anymore",
    "I want to pull my knee up faster",
    "How many pull-ups should I do?",
    "I broke my PB today!",
    "I only have 20 minutes per session",
    "Is my arm swing good?",
    "how do I do a pain-free warm up",
]


@pytest.mark.parametrize(("message", "parts"), [p for p in PAIN if p[1] or "fracture" in p[0]
                                                or "injured" in p[0]])  # fmt: skip
def test_pain_and_injury_reports_are_caught(message: str, parts: list[str]) -> None:
    concern = detect_concern(message)
    assert concern is not None and concern.level == "pain", message
    assert concern.body_parts == parts, message


@pytest.mark.parametrize("message", RED_FLAGS)
def test_red_flags_are_caught(message: str) -> None:
    concern = detect_concern(message)
    assert concern is not None and concern.level == "red_flag", message


@pytest.mark.parametrize("message", NOT_CONCERNS)
def test_ordinary_questions_are_not_concerns(message: str) -> None:
    assert detect_concern(message) is None, message


def test_the_referral_is_short_kind_and_prescribes_nothing() -> None:
    for message in [m for m, _ in PAIN if detect_concern(m)] + RED_FLAGS:
        concern = detect_concern(message)
        assert concern is not None
        text = referral(concern)
        assert len(text.split()) < 90, message
        assert "sorry" in text.lower(), message
        assert not DOSE_LIKE.findall(text) and "[kb:" not in text, message
        if concern.level == "red_flag":
            assert "stop exercising now" in text and "medical help" in text
        else:
            assert "physiotherapist" in text and "won't prescribe" in text


def test_understanding_routes_pain_to_triage_and_remembers_the_area() -> None:
    intent, ctx, _ = understand("My hamstring is sore, should I still do the lean broad jumps?",
                                [], None, AthleteContext(), has_analysis=True)  # fmt: skip
    assert intent.kind == "safety" and intent.concern is not None
    assert ctx.injuries == ["hamstring"]
    # the area stays remembered on later turns, until the athlete is cleared
    intent, ctx, _ = understand("ok, and I have no sled", [], None, ctx, has_analysis=True)
    assert intent.kind == "adapt" and ctx.injuries == ["hamstring"]
    assert cleared("The physio cleared me, my hamstring feels fine now")
    intent, ctx, _ = understand("The physio cleared me, my hamstring feels fine now", [], None,
                                ctx, has_analysis=True)  # fmt: skip
    assert ctx.injuries == [] and intent.kind != "safety"
    # a red flag wins even with a recording attached
    intent, _, _ = understand("analyse this, I felt dizzy at the end", ["clip.mp4"], None,
                              AthleteContext(), has_analysis=False)  # fmt: skip
    assert intent.kind == "safety"
    # pain with a recording: the analysis runs, the area is left out of the plan
    intent, ctx, _ = understand("analyse my jump, my knee hurts a bit", ["jump.csv"], None,
                                AthleteContext(), has_analysis=False)  # fmt: skip
    assert intent.kind == "analyze" and ctx.injuries == ["knee"]


def _hit(id_: str, title: str, contra: list[str] | None = None, kind: str = "drill") -> KBHit:
    return KBHit(id=id_, title=title, kind=kind, text="", dose="3 x 5", sources=["x"],
                 contraindications=contra or [])  # fmt: skip


def test_items_that_load_a_painful_area_are_recognised() -> None:
    nordic = _hit("drill.nordic_hamstring", "Nordic hamstring lowers",
                  ["hamstring strain in the last 4-6 weeks"])  # fmt: skip
    hops = _hit("drill.hurdle_hops", "Hurdle hops", ["Achilles or patellar tendon pain"])
    throw = _hit("drill.med_ball_overhead_throw", "Overhead throw", ["shoulder pain"])
    broad = _hit("drill.lean_broad_jump", "Lean broad jump")
    assert loads_area(nordic, ["hamstring"]) and loads_area(broad, ["hamstring"])
    assert loads_area(hops, ["achilles"]) and loads_area(hops, ["knee"])
    assert not loads_area(throw, ["hamstring"]) and loads_area(throw, ["shoulder"])
    assert not loads_area(nordic, [])


def test_the_lexicon_is_consistent() -> None:
    lx = lexicon()
    assert set(lx.loads) == set(lx.body_parts)
    assert not set(lx.symptoms) & set(lx.not_a_concern)
