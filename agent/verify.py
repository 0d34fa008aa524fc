"""The verifier every answer (offline or from a language model) must pass before it is
shown. It reads the answer's claims structurally:

- every ``[kb:...]`` token, of any shape, names an item that was retrieved;
- an answer that cites nothing is allowed only when nothing was retrieved ("no evidence"
  is not a citation) or the recording could not be analysed;
- every dose phrase, in any notation ("3 x 5", "10x100m", "5 sets of 12", "rest 60 s",
  "40 kg", "7 days a week", "daily"), comes from a retrieved item (or the athlete's own
  training days);
- every technical problem named is in the assessment, or is what was asked about or
  retrieved; no medical diagnosis ("torn", "fracture") the athlete did not state and the
  knowledge base does not hold;
- after a pain report: nothing prescribed, nothing that loads the painful area.
"""

from __future__ import annotations

import json
import re
from functools import cache

from ..tools.kismam import load_motion_spec
from ..tools.motiondtw.library import known_motions
from .grounding import CITATION, COULD_NOT, KB_UNAVAILABLE, retrieved
from .safety import lexicon, loads_area
from .state import Check, CoachState

DOSE_LIKE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:x|×|sets?|reps?|repetitions|rounds|times|m|metres|meters|km|"
    r"yards?|s|secs?|seconds|min|mins|minutes|kg|lbs?|%)(?![a-z])",
    re.IGNORECASE,
)
"""A number with a training unit: what a referral must never contain."""

_N = r"\d+(?:[.,]\d+)?"
DOSE_PHRASE = re.compile(
    rf"{_N}\s*(?:x|×)\s*{_N}(?:\s*(?:m|metres|meters|s|sec|seconds|kg|%))?(?![a-z])"
    rf"|{_N}\s*sets?\s*(?:of\s*)?(?:{_N}\s*(?:reps?|repetitions)?)?"
    rf"|{_N}\s*(?:reps?|repetitions)(?![a-z])"
    rf"|{_N}\s*(?:kg|lbs?|pounds)(?![a-z])"
    rf"|(?:rest|recovery|pause)\s*(?:of\s*)?{_N}\s*(?:s|sec|secs|seconds|min|mins|minutes)(?![a-z])"
    rf"|{_N}\s*(?:m|metres|meters|yards?|km)(?![a-z])"
    rf"|at\s+{_N}\s*%|{_N}\s*%\s*(?:of|intensity|effort|speed|pace|max|1rm|bodyweight)"
    rf"|(?:{_N}|once|twice)\s*(?:x|times|days?|sessions?)?\s*(?:a|per|each|/)\s*(?:week|wk)"
    r"|\b(?:daily|every\s+day|each\s+day|twice\s+a\s+day|7\s+days)\b",
    re.IGNORECASE,
)
_UNITS = [
    (r"\b(?:seconds|secs|sec)\b", "s"),
    (r"\b(?:minutes|mins)\b", "min"),
    (r"\b(?:metres|meters)\b", "m"),
    (r"\bsets? of\b", "x"),
    (r"\bsets?\b", "x"),
    (r"\b(?:repetitions|reps?)\b", ""),
    (r"×", "x"),
    (r"\btwice\b", "2"),
    (r"\bonce\b", "1"),
    (r"\b(?:times|days?|sessions?)\b", "x"),
    (r"\b(?:per|each|a)\s*(?:week|wk)\b", "/wk"),
    (r"/\s*(?:week|wk)\b", "/wk"),
    (r"\bpounds|lbs?\b", "lb"),
    (r"\b(?:every|each) day\b", "daily"),
]


def normalise_dose(text: str) -> str:
    """One spelling for a dose: '5 sets of 12 reps' -> '5x12', 'rest 60 seconds' -> 'rest60s'."""
    out = text.lower().replace(",", ".")
    for pattern, replacement in _UNITS:
        out = re.sub(pattern, replacement, out)
    out = re.sub(r"\s+", "", out)
    return re.sub(r"x+", "x", out).replace("x/wk", "/wk")


@cache
def problem_labels() -> dict[str, frozenset[str]]:
    """Every problem KISMAM can report: label (lower case) -> its ids across motions."""
    out: dict[str, set[str]] = {}
    for motion in known_motions():
        for problem in load_motion_spec(motion).problems:
            out.setdefault(problem.label.lower(), set()).add(problem.id)
    return {label: frozenset(ids) for label, ids in out.items()}


def _check(name: str, ok: bool, good: str, bad: str) -> Check:
    return Check(name=name, ok=ok, detail=good if ok else bad)


def _sourced_doses(state: CoachState) -> str:
    hits = retrieved(state).values()
    corpus = [h.dose or "" for h in hits] + [h.text for h in hits] + [h.title for h in hits]
    corpus += [s for h in hits for s in h.sources]
    corpus += [p for h in hits if h.dose_detail for p in (h.dose_detail.progression,
                                                           *h.dose_detail.regressions)]  # fmt: skip
    corpus += [m.band_source for m in state.measurements if m.band_source]
    for m in state.measurements:  # the athlete's own values, as they may be written
        for v in [*(x.value for x in m.values), *([m.median] if m.median is not None else [])]:
            corpus += [f"{v:g} {m.unit}", f"{v:.1f} {m.unit}", f"{v:.2f} {m.unit}"]
    if state.days_per_week:
        corpus.append(f"{state.days_per_week} days a week")
    return " | ".join(normalise_dose(c) for c in corpus)


def verify_answer(state: CoachState, answer: str) -> list[Check]:
    """Rules every answer must pass before it is shown."""
    hits = retrieved(state)
    cited = CITATION.findall(answer)
    unknown = [c for c in cited if c not in hits]
    checks = [
        _check(
            "citations_exist",
            not unknown,
            f"{len(cited)} citation(s)",
            f"{len(cited)} citation(s); not retrieved: {unknown}",
        )
    ]
    kind = state.intent.kind if state.intent else None
    if kind in ("analyze", "adapt", "question", "explain", "drill_details"):
        excused = COULD_NOT in answer or (
            not hits and ("No evidence found" in answer or KB_UNAVAILABLE in answer)
        )
        checks.append(
            _check(
                "cites_something",
                bool(cited) or excused,
                "cites the knowledge base" if cited else "nothing to cite",
                "no citation" + (" although items were retrieved" if hits else ""),
            )
        )
    if kind == "safety":
        load = DOSE_LIKE.findall(answer)
        checks.append(
            _check(
                "no_new_load",
                not cited and not load,
                "a referral, nothing prescribed",
                f"prescribes after a pain report: {cited + load}",
            )
        )
    if state.context.injuries:
        loading = [c for c in cited if c in hits and loads_area(hits[c], state.context.injuries)]
        checks.append(
            _check(
                "respects_injuries",
                not loading,
                f"nothing loads the {', '.join(state.context.injuries)}",
                f"loads a painful area: {loading}",
            )
        )
    sourced = _sourced_doses(state)
    stray = [
        d
        for d in DOSE_PHRASE.findall(CITATION.sub(" ", answer))
        if normalise_dose(d) not in sourced
    ]
    checks.append(
        _check(
            "doses_from_knowledge",
            not stray,
            "every dose comes from a retrieved item",
            f"unsourced doses {stray}",
        )
    )
    checks.append(_numbers_grounded(state, answer))
    checks.append(_named_problems(state, answer))
    checks.append(_diagnoses(state, answer))
    if state.assessment:
        bare = [p.id for p in state.assessment.problems if not p.evidence]
        checks.append(
            _check(
                "problems_have_evidence",
                not bare,
                f"{len(state.assessment.problems)} problem(s)",
                f"no evidence: {bare}",
            )
        )
    return checks


def _named_problems(state: CoachState, answer: str) -> Check:
    lowered = answer.lower()
    allowed: set[str] = set()
    if state.assessment:  # found, or reported as not judged (its metrics not measurable)
        allowed = {p.id for p in state.assessment.problems} | set(state.assessment.unmeasurable)
    hits = retrieved(state).values()
    allowed |= {h.id.split(".", 1)[1] for h in hits if h.id.startswith("problem.")}
    # an answer may quote a retrieved item that names a problem (its text, its sources)
    quoted = " ".join([h.text for h in hits] + [s for h in hits for s in h.sources]).lower()
    quoted += " " + (state.comparison or "").lower()  # the stored analyses' problems
    asked = state.message.lower()
    labels = problem_labels()
    fine = {label for label, ids in labels.items() if ids & allowed}
    if state.assessment:
        fine |= {p.label.lower() for p in state.assessment.problems}
        fine |= {k.lower().replace("_", " ") for k in state.assessment.unmeasurable}
    named = [
        label
        for label in labels
        if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", lowered)
        and not any(label in ok or ok in label for ok in fine)  # short and long labels
        and label not in asked
        and label not in quoted
    ]
    return _check(
        "problems_in_assessment",
        not named,
        "every problem named was assessed",
        f"names problems the analysis did not find: {named}",
    )


def _diagnoses(state: CoachState, answer: str) -> Check:
    words = lexicon().diagnoses
    corpus = " ".join([state.message, *(h.text for h in retrieved(state).values())]).lower()
    invented = [
        w
        for w in words
        if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", answer.lower()) and w not in corpus
    ]
    return _check(
        "no_invented_diagnosis",
        not invented,
        "no medical claim of our own",
        f"states a diagnosis nobody made: {invented}",
    )


MAX_SUMMED = 12
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?![\w])")


def _state_numbers(state: CoachState) -> list[float]:
    parts: list[str] = [state.message]
    for model in (state.assessment, state.pose, *state.measurements):
        if model is not None:
            parts.append(model.model_dump_json())
    parts += [h.model_dump_json() for h in retrieved(state).values()]
    parts += [*state.notes.values(), state.comparison or ""]
    # what the coach itself did and checked: re-queries, plan arguments, evidence rules
    parts += [*state.requeries, *(c.detail for c in state.evidence.checks)]
    parts += [c.error or c.summary for c in state.calls]  # "82 frames at 60 fps: too short"
    if state.plan is not None:
        parts += [json.dumps(s.args) for s in state.plan.steps]
    numbers = [float(n.replace("−", "-")) for p in parts for n in NUMBER.findall(p)]
    numbers += [n for n in (state.days_per_week, state.session_minutes) if n is not None]
    # a session's minutes, computed from the doses: any total of the drills' own minutes
    minutes = [h.dose_detail.session_seconds() / 60 for h in retrieved(state).values()
               if h.dose_detail][:MAX_SUMMED]  # fmt: skip
    totals = {0.0}
    for m in minutes:
        totals |= {t + m for t in totals}
    return numbers + sorted(totals)


def _numbers_grounded(state: CoachState, answer: str) -> Check:
    text = DOSE_PHRASE.sub(" ", CITATION.sub(" ", answer))
    known = _state_numbers(state)
    stray = []
    for token in NUMBER.findall(text):
        value = float(token.replace("−", "-"))
        decimals = len(token.split(".", 1)[1]) if "." in token else 0
        tol = 0.5 * 10**-decimals + 1e-9
        if decimals == 0 and abs(value) <= 12:
            continue
        if any(abs(k - value) <= tol or abs(100 * k - value) <= tol for k in known):
            continue
        stray.append(token)
    return _check("numbers_grounded", not stray, "every number comes from the evidence",
                  f"numbers not in the analysis or the knowledge base: {stray}")  # fmt: skip
