"""The coach as a LangGraph state graph.

understand -> plan -> act -> check --(insufficient, bounded)--> requery -> act ...
                                 \\-> compose -> verify -> answer

The plan is an explicit list of tool steps stored in the state (visible in traces);
``act`` runs every pending step through the one validated tool door; ``check`` applies
the deterministic evidence rules; ``requery`` appends the next thing to try. One job per
module: this one wires the graph (a module-level ``builder`` and compiled ``graph``, the
langchain-ai/react-agent way); the nodes are ``nodes.py``, the act node's tool door and
filing ``executor.py``, the language model's loops ``model_loop.py``, the conversation
facade ``coach.py``, the runtime context ``context.py``.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import END, START, StateGraph

from .context import CoachContext
from .nodes import (
    node_act,
    node_answer,
    node_check,
    node_compose,
    node_plan,
    node_requery,
    node_understand,
    node_verify,
    route_after_check,
)
from .state import CoachState


def _builder() -> Any:
    graph: Any = StateGraph(CoachState, context_schema=CoachContext)
    graph.add_node("understand", node_understand)
    graph.add_node("plan", node_plan)
    graph.add_node("act", node_act)
    graph.add_node("check", node_check)
    graph.add_node("requery", node_requery)
    graph.add_node("compose", node_compose)
    graph.add_node("verify", node_verify)
    graph.add_node("answer", node_answer)
    graph.add_edge(START, "understand")
    graph.add_edge("understand", "plan")
    graph.add_edge("plan", "act")
    graph.add_edge("act", "check")
    graph.add_conditional_edges("check", route_after_check, ["requery", "compose"])
    graph.add_edge("requery", "act")
    graph.add_edge("compose", "verify")
    graph.add_edge("verify", "answer")
    graph.add_edge("answer", END)
    return graph


builder = _builder()
graph = builder.compile(name="SportsGPT coach")
"""The coach's graph; a run needs ``context=CoachContext(...)`` (``Coach`` supplies it
and a checkpointer for its threads)."""


def state_serializer() -> JsonPlusSerializer:
    """The checkpointer may rebuild exactly our state types, nothing else."""
    names = {
        "sportsgpt.agent.state": ("Intent", "Plan", "PlanStep", "ToolCallRecord", "Check",
                                  "EvidenceReport", "TraceEvent", "CoachRequest"),
        "sportsgpt.agent.tools": ("PoseSummary", "AssessmentSummary", "ProblemBrief", "KBHit",
                                  "Measurements", "MeasuredValue"),
        "sportsgpt.kb.queries": ("AthleteContext",),
        "sportsgpt.agent.safety": ("SafetyConcern",),
        "sportsgpt.agent.slots": ("Slots",),
        "sportsgpt.kb.models": ("Dose",),
    }  # fmt: skip
    return JsonPlusSerializer(
        allowed_msgpack_modules=[(module, n) for module, ns in names.items() for n in ns]
    )
