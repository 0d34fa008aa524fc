"""The training plan of a turn: the prioritised, dosed drills for the athlete's problems,
without what needs kit they lack or loads an area they said hurts."""

from __future__ import annotations

from .safety import loads_area
from .state import CoachState
from .tools import KBHit


def plan_drills(state: CoachState, limit: int = 4) -> list[KBHit]:
    """The prioritised drills: problems in severity order, each problem's dosed drills
    first, no repeats, nothing needing kit the athlete lacks."""
    out: list[KBHit] = []
    keys = [p.id for p in state.assessment.problems] if state.assessment else []
    keys = keys or [k for k in state.guidance if k not in ("question",)]
    lacking = set(state.context.missing_equipment)
    sore = state.context.injuries
    for key in keys:
        for hit in state.guidance.get(key, []):
            if hit.kind != "drill" or not hit.dose or hit.id in {h.id for h in out}:
                continue
            if lacking & set(hit.equipment) or loads_area(hit, sore):
                continue
            out.append(hit)
            break
    for key in keys:  # a second drill per problem while room is left
        for hit in state.guidance.get(key, []):
            if len(out) >= limit:
                break
            fresh = hit.id not in {h.id for h in out}
            usable = not lacking & set(hit.equipment) and not loads_area(hit, sore)
            if hit.kind == "drill" and hit.dose and fresh and usable:
                out.append(hit)
                break
    return out[:limit]
