"""From an Assessment to retrieval: one query per problem, results grouped per problem.

Each problem asks for its guide and its drills (filtered on the problem id, so a drill
for another fault never answers), in the athlete's context: equipment they lack is
filtered out, their level preferred. Major problems come first. No problem means no
query: the result says so instead of retrieving generic advice.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from ..tools.kismam.models import Assessment
from .models import Level, SearchFilters, SearchResult

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


class ProblemQuery(BaseModel):
    problem: str
    label: str
    severity: str
    query: str
    filters: SearchFilters


class ProblemGuidance(BaseModel):
    problem: str
    label: str
    severity: str
    results: list[SearchResult]
    note: str | None = Field(default=None, description="why nothing was found, if so")


class RetrievedGuidance(BaseModel):
    motion: str
    groups: list[ProblemGuidance]
    note: str | None = None


def problem_queries(
    assessment: Assessment, context: AthleteContext | None = None
) -> list[ProblemQuery]:
    context = context or AthleteContext()
    problems = sorted(assessment.problems, key=priority)
    return [
        ProblemQuery(
            problem=p.id, label=p.label, severity=p.severity,
            query=f"{p.label} in {assessment.motion.replace('_', ' ')}: corrective drills, cues "
            f"and dose. {p.coach_text}",
            filters=SearchFilters(
                problem=p.id, kinds=["problem", "drill"], level=context.level,
                without_equipment=context.missing_equipment,
            ),
        )
        for p in problems
    ]  # fmt: skip


class _Searcher(Protocol):
    def search(
        self, query: str, filters: SearchFilters | None = None, limit: int = 5
    ) -> list[SearchResult]: ...


def retrieve_guidance(
    kb: _Searcher,
    assessment: Assessment,
    context: AthleteContext | None = None,
    per_problem: int = 4,
) -> RetrievedGuidance:
    """The knowledge base's answer for every problem of ``assessment`` (grouped)."""
    queries = problem_queries(assessment, context)
    if not queries:
        return RetrievedGuidance(
            motion=assessment.motion, groups=[],
            note="no technical problem was reported, so no corrective guidance was retrieved",
        )  # fmt: skip
    groups = []
    for q in queries:
        results = kb.search(q.query, q.filters, limit=per_problem)
        note = None
        if not results:
            missing = ", ".join(q.filters.without_equipment)
            note = "no evidence found in the knowledge base" + (
                f" without {missing}" if missing else ""
            )
        groups.append(
            ProblemGuidance(
                problem=q.problem, label=q.label, severity=q.severity, results=results, note=note
            )
        )
    return RetrievedGuidance(motion=assessment.motion, groups=groups)
