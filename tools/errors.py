"""One error hierarchy, so every front end (CLI, agent, app) can show a one-line message."""

from __future__ import annotations

from pathlib import Path


class SportsGPTError(Exception):
    """Base of every error we raise on purpose; ``str(err)`` is one line for a user."""


class MotionInputError(SportsGPTError):
    """A motion file we cannot use: names the file and the problem."""

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class StorageError(SportsGPTError):
    """A result could not be written (a full disk, a folder gone); what was there stays."""


class StoppedError(SportsGPTError):
    """The user stopped the work (the app's Stop button): nothing is kept of it."""


class InvalidPoseError(SportsGPTError):
    """A pose sequence that violates the PoseSequence invariants."""


class MissingJointError(SportsGPTError):
    """A computation needs joints that the source does not have."""

    def __init__(self, computation: str, missing: list[str]) -> None:
        self.computation = computation
        self.missing = missing
        super().__init__(
            f"{computation} needs joint(s) {', '.join(missing)}, which the input lacks"
        )


class SharedDataNotFoundError(SportsGPTError):
    """The ../shared data folder could not be located."""


class NoPersonError(MotionInputError):
    """A video in which the pose model found nobody to analyse."""


class ModelNotFoundError(SportsGPTError):
    """A model file is not on disk; the message says which file and where to put it."""


class ModelLoadError(SportsGPTError):
    """A model file exists but cannot be loaded (corrupt, wrong kind, wrong version)."""


class KnowledgeBaseError(SportsGPTError):
    """The training knowledge base cannot answer (database, schema, content, embedder)."""


class DatabaseUnavailableError(KnowledgeBaseError):
    """No PostgreSQL server could be reached or started."""


class ExtensionMissingError(KnowledgeBaseError):
    """The server lacks the pgvector extension."""


class EmptyKnowledgeBaseError(KnowledgeBaseError):
    """The database holds no knowledge base yet (run `sportsgpt kb ingest`)."""


class EmbedderError(KnowledgeBaseError):
    """The embedding model is missing, unreadable, or does not match the stored vectors."""
