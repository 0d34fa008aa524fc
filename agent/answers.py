"""The deterministic answers to the conversation's follow-ups: the athlete's own
measurements, why a problem was flagged, what to fix first, a drill in detail, a plan
that fits the session, and the polite "not mine to answer". Every number comes from the
stored analysis or a retrieved item; every item is cited."""

from __future__ import annotations

from ..kb.queries import priority
from ..tools.kismam.wording import band_words, quantity, unit_notes
from .grounding import CITATION, OFFLINE_NOTE, cite, no_evidence, retrieved
from .plans import flagged_problem
from .state import CoachState
from .tools import KBHit, Measurements
from .training_plan import plan_drills


def _head(state: CoachState) -> list[str]:
    return [OFFLINE_NOTE if state.mode == "offline" else "", ""]


def _done(lines: list[str]) -> tuple[str, list[str]]:
    text = "\n".join(lines).strip() + "\n"
    return text, list(dict.fromkeys(CITATION.findall(text)))


def _band(m: Measurements) -> str:
    assert m.band is not None
    return band_words(*m.band, m.unit)


def _verdict(m: Measurements) -> str:
    if m.band is None or m.median is None:
        return ""
    low, high = m.band
    if low is not None and m.median < low:
        return "below the elite band"
    if high is not None and m.median > high:
        return "above the elite band"
    return "inside the elite band"


def measurement_lines(m: Measurements) -> list[str]:
    name = m.name or m.label
    if not m.values:
        return [f"- {name}: not measured at {', '.join(m.keyframes) or 'that keyframe'}."]
    where = ", ".join(dict.fromkeys(v.at or v.keyframe.replace("_", " ") for v in m.values))
    named = name if where.lower() in name.lower() else f"{name} at {where}"
    head = f"- **{named}**: **{quantity(m.median or 0.0, m.unit)}**"
    if len(m.values) > 1:
        several = len(m.keyframes) > 1  # say which keyframe each value is at
        each = "; ".join(
            f"occurrence {v.occurrence}"
            + (f" {v.at or v.keyframe.replace('_', ' ')}" if several else "")
            + f": {quantity(v.value, m.unit)} (frame {v.frame})"
            for v in m.values
        )
        head += f" (median of {len(m.values)}: {each})"
    else:
        head += f" (frame {m.values[0].frame})"
    lines = [head + "."]
    if m.band is not None:
        lines.append(f"  Elite band {_band(m)}: {_verdict(m)}. Source: {m.band_source}.")
    return lines


def compose_measurement(state: CoachState) -> tuple[str, list[str]]:
    lines = _head(state)
    if not state.measurements:
        failures = [c.error for c in state.calls if c.error]
        lines.append(
            "I could not read that from your analysis" + (f": {failures[-1]}." if failures else ".")
        )
        return _done(lines)
    lines.append("From your analysis:")
    for m in state.measurements:
        lines += measurement_lines(m)
    lines += [f"\n{note}" for note in unit_notes(m.unit for m in state.measurements)]
    keys = {v.at or v.keyframe.replace("_", " ") for m in state.measurements for v in m.values}
    if keys:
        lines.append(f"\nYou can see it in the keyframe picture at {', '.join(sorted(keys))}.")
    if not any(m.band for m in state.measurements):
        lines.append(
            "No elite band is set for this value at this keyframe, so I do not "
            "judge it; the scored metrics are in the diagnosis."
        )
    return _done(lines)


def compose_technique(state: CoachState) -> tuple[str, list[str]]:
    """The elite bands the analysis judges against, each with its source, beside the
    athlete's own value."""
    lines = _head(state)
    banded = [m for m in state.measurements if m.band is not None]
    if not banded:
        lines.append("I have no elite band for that in this motion's references.")
        return _done(lines)
    motion = state.assessment.motion.replace("_", " ") if state.assessment else "this motion"
    lines.append(f"What good looks like in the {motion}: the elite bands I judge you "
                 "against, each with its source, and your value beside it.")  # fmt: skip
    for m in banded:
        lines += measurement_lines(m)
    lines += [f"\n{note}" for note in unit_notes(m.unit for m in banded)]
    keys = sorted({v.at or v.keyframe.replace("_", " ") for m in banded for v in m.values})
    lines.append(f"\nYou can compare yourself in the keyframe pictures at {', '.join(keys)}.")
    return _done(lines)


NOTHING_FLAGGED = (
    "no measurement was far enough outside its elite band, in enough of your steps or "
    "repetitions, to name a problem"
)
"""What "no problem" means (a single value outside its band does not make one)."""


def compose_why(state: CoachState) -> tuple[str, list[str]]:
    lines = _head(state)
    a = state.assessment
    slots = state.intent.slots if state.intent else None
    problem = flagged_problem(state, slots) if slots else None
    if a is None or (not a.problems and problem is None):
        lines.append(f"No problem was flagged in your analysis: {NOTHING_FLAGGED}.")
        return _done(lines)
    if problem is None:
        names = " or ".join(f"**{p.label}**" for p in a.problems)
        lines.append(f"Which one do you mean: {names}?")
        return _done(lines)
    brief = next((p for p in a.problems if p.id == problem), None)
    if brief is None:
        from ..tools.kismam import load_motion_spec

        spec = next(p for p in load_motion_spec(a.motion).problems if p.id == problem)
        lines.append(
            f"**{spec.label}** was not flagged in your analysis. The measurements it is judged on:"
        )
    else:
        lines.append(
            f"**{brief.label}** was flagged ({brief.severity}, probability "
            f"{brief.probability:.2f}) because of these measurements:"
        )
    for m in state.measurements:
        lines += measurement_lines(m)
    guide = retrieved(state).get(f"problem.{problem}")
    if guide is not None:
        lines.append(f"\n{guide.text.split('. ')[0].strip().rstrip('.')}. {cite(guide)}")
    keys = {v.at or v.keyframe.replace("_", " ") for m in state.measurements for v in m.values}
    if keys:
        lines.append(f"The keyframe picture at {', '.join(sorted(keys))} shows it.")
    lines += [f"\n{note}" for note in unit_notes(m.unit for m in state.measurements)]
    return _done(lines)


def compose_fix_first(state: CoachState) -> tuple[str, list[str]]:
    lines = _head(state)
    a = state.assessment
    if a is None or not a.problems:
        lines.append(
            "Nothing to fix first: no problem was flagged. Keep developing the motion "
            "with the plan."
        )
        return _done(lines)
    ranked = sorted(a.problems, key=priority)
    first = ranked[0]
    lines.append(
        f"Fix **{first.label}** first: it is the most severe ({first.severity}) and the "
        f"most certain (probability {first.probability:.2f})."
    )
    if first.evidence:
        lines.append(f"- measured: {first.evidence[0]}")
    drills = [h for h in plan_drills(state) if first.id in h.problems]
    if drills:
        lines.append(f"Start with {drills[0].title} {cite(drills[0])}: {drills[0].dose}.")
    if len(ranked) > 1:
        rest = ", then ".join(
            f"{p.label} ({p.severity}, p {p.probability:.2f})" for p in ranked[1:]
        )
        lines.append(f"Then: {rest}.")
    return _done(lines)


def _drill(state: CoachState) -> KBHit | None:
    from .safety import loads_area

    hits = [
        h for h in state.guidance.get("question", []) if not loads_area(h, state.context.injuries)
    ]
    return next((h for h in hits if h.kind == "drill"), hits[0] if hits else None)


def compose_drill(state: CoachState) -> tuple[str, list[str]]:
    lines = _head(state)
    hit = _drill(state)
    if hit is None:
        lines.append(no_evidence(state, "that drill"))
        return _done(lines)
    lines.append(f"**{hit.title}** {cite(hit)}")
    lines.append(hit.text.split("\n")[0][:400])
    d = hit.dose_detail
    if hit.dose:
        lines.append(f"\nDose: {hit.dose}.")
    if d is not None:
        lines.append(f"How it progresses: {d.progression}")
        if d.regressions:
            lines.append(f"Easier versions: {'; '.join(d.regressions)}.")
        lines.append(f"About {d.session_seconds() / 60:.0f} min of a session, rests included.")
    return _done(lines)


def session_fit_lines(state: CoachState, drills: list[KBHit]) -> list[str]:
    """Which of the plan's drills fit the athlete's minutes, from their doses."""
    minutes = state.session_minutes
    if not minutes or not drills:
        return []
    used, kept, left = 0.0, [], []
    for hit in drills:
        need = hit.dose_detail.session_seconds() / 60 if hit.dose_detail else None
        if need is not None and used + need <= minutes:
            used += need
            kept.append(f"{hit.title} (about {need:.0f} min)")
        else:
            left.append(hit.title)
    lines = [f"\n## In {minutes} minutes a session"]
    if kept:
        lines.append(
            f"Do {', then '.join(kept)}: about {used:.0f} min with the rests "
            "(about 4 s a rep; warm-up not counted)."
        )
    if left:
        lines.append(f"Move {', '.join(left)} to another session.")
    return lines


def compose_out_of_scope(state: CoachState) -> tuple[str, list[str]]:
    lines = _head(state)
    lines.append(
        "That is outside what I can help with, sorry. I coach technique from your "
        "recordings and training from my knowledge base: ask me about a measurement, "
        "why a problem was flagged, what to fix first, a drill, or your plan."
    )
    if state.intent and state.intent.question:
        lines.append(state.intent.question)
    return _done(lines)


def compose_clarify(state: CoachState) -> tuple[str, list[str]]:
    lines = _head(state)
    question = state.intent.question if state.intent else None
    lines.append(question or "Could you say a little more about what you would like to know?")
    return _done(lines)
