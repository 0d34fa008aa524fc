"""Every retrieval query the coach makes, in one place: after an assessment one query per
problem (its guide and its drills, filtered on the problem id so a drill for another
fault never answers), the most severe first, in the athlete's context (equipment they
lack filtered out, their level preferred); development drills when nothing was found;
and the bounded re-queries when evidence is thin (broadened, rephrased).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from .models import Level, SearchFilters

SEVERITY_ORDER = {"major": 0, "moderate": 1, "minor": 2}


class _Ranked(Protocol):
    @property
    def severity(self) -> str: ...
    @property
    def probability(self) -> float: ...


def priority(problem: _Ranked) -> tuple[int, float]:
    """Sort key of problems: the most severe first, then the most probable."""
    return SEVERITY_ORDER.get(problem.severity, len(SEVERITY_ORDER)), -problem.probability


class AthleteContext(BaseModel):
    """What the athlete told us that changes the prescription."""

    missing_equipment: list[str] = Field(default_factory=list, description="e.g. ['sled']")
    level: Level | None = None
    injuries: list[str] = Field(
        default_factory=list, description="body parts the athlete reported pain in: no new load"
    )


class _Problem(_Ranked, Protocol):
    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...


class ProblemQuery(BaseModel):
    """One retrieval: the query text, its filters, and what it is for."""

    target: str = Field(description="the problem id it answers, or 'development'")
    query: str
    filters: SearchFilters
    limit: int = 5
    why: str


def _filters(context: AthleteContext, **fixed: object) -> SearchFilters:
    return SearchFilters.model_validate(
        {"level": context.level, "without_equipment": context.missing_equipment, **fixed}
    )


def problem_queries(
    motion: str, problems: Sequence[_Problem], context: AthleteContext | None = None
) -> list[ProblemQuery]:
    """After an assessment: per problem (the most severe first), its guide and its drills,
    filtered on the problem id so a drill for another fault never answers; with no problem,
    drills that keep developing the motion."""
    context = context or AthleteContext()
    name = motion.replace("_", " ")
    if not problems:
        return [ProblemQuery(
            target="development", query=f"{name} drills to keep developing", limit=4,
            filters=_filters(context, motion=motion, kinds=["drill"], level=None),
            why="no problem found: drills that develop the motion's qualities",
        )]  # fmt: skip
    return [
        ProblemQuery(
            target=p.id, query=f"{p.label} in {name}: corrective drills and dose",
            filters=_filters(context, problem=p.id, kinds=["problem", "drill"]),
            why=f"guide and dosed drills for {p.label}",
        )
        for p in sorted(problems, key=priority)
    ]  # fmt: skip


def broadened_query(problem: _Problem, context: AthleteContext | None = None) -> ProblemQuery:
    """The re-query when a problem's search found no dosed drill: the problem filter is
    dropped, drills only."""
    context = context or AthleteContext()
    return ProblemQuery(
        target=problem.id, query=f"{problem.label} drills",
        filters=_filters(context, kinds=["drill"], level=None),
        why=f"no dosed drill for {problem.id}: broaden (drop the problem filter)",
    )  # fmt: skip


def rephrased_query(topic: str) -> ProblemQuery:
    """The re-query when a question found nothing: its key words only."""
    words = [w for w in topic.split() if len(w) > 3]
    return ProblemQuery(
        target="question", query=" ".join(words) or topic, filters=SearchFilters(),
        why="nothing found: rephrase with the key words only",
    )  # fmt: skip
