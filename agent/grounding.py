"""What an answer rests on: the ``[kb:ID]`` citations it makes, the knowledge-base items
retrieved this turn, and what is said when there is nothing to cite or the recording
could not be analysed. Shared by the composer, the follow-up answers and the verifier."""

from __future__ import annotations

import re

from .state import CoachState
from .tools import KBHit

KB_UNAVAILABLE = "The knowledge base is unavailable right now"
"""Said instead of "no evidence" when the search itself failed (the database is down):
nothing was found because nothing could be searched."""


def no_evidence(state: CoachState, what: str) -> str:
    """Why there is nothing cited for ``what``: the knowledge base could not be searched,
    or it holds nothing that fits."""
    down = [c for c in state.calls if c.tool == "search_knowledge" and not c.ok
            and c.error_kind == "DatabaseUnavailableError"]  # fmt: skip
    if down:
        return (f"{KB_UNAVAILABLE} ({down[-1].error}), so I have nothing cited for {what}; "
                "the measurements above stand. Please try again in a moment.")  # fmt: skip
    return f"No evidence found in the knowledge base for {what}."


OFFLINE_NOTE = (
    "_Offline mode: no language model is configured, so this guidance was composed "
    "deterministically from the measurements and the knowledge base._"
)
COULD_NOT = "I could not analyse the recording:"
CITATION = re.compile(r"\[kb:([^\]]*)\]")
"""Every ``[kb:...]`` token, of any shape: a malformed id is a citation that does not exist."""


def cite(hit: KBHit) -> str:
    return f"[kb:{hit.id}]"


def first_sentences(text: str, n: int = 2) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:n])


def retrieved(state: CoachState) -> dict[str, KBHit]:
    return {h.id: h for hits in state.guidance.values() for h in hits}
