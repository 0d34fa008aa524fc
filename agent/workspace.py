"""Where the agent may read and write: the upload folder and its own work folder.

Paths that come from a conversation (an LLM's tool arguments, a user's message) are
resolved here and refused when they point anywhere else, so a message cannot make a tool
read /etc/passwd or write outside the work folder.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from ..tools.errors import SportsGPTError


class WorkspaceError(SportsGPTError):
    """A path outside the folders the agent may use."""


class Workspace:
    def __init__(self, work_dir: Path, uploads: list[Path] | None = None) -> None:
        self.work_dir = work_dir.resolve()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.roots = [self.work_dir, *(p.resolve() for p in (uploads or []))]
        self.files: set[Path] = set()

    def allow(self, folder: Path) -> None:
        """Let the agent read files in ``folder`` (the session's own upload folder)."""
        resolved = folder.resolve()
        if resolved not in self.roots:
            self.roots.append(resolved)

    def allow_file(self, path: Path) -> None:
        """Let the agent read this one file the user handed over, and nothing beside it (a
        recording's folder may hold a .env or anything else)."""
        self.files.add(path.resolve())

    def resolve(self, path: str | Path) -> Path:
        """``path`` (relative to the work folder) if it lies inside an allowed folder."""
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.work_dir / candidate
        resolved = candidate.resolve()
        if resolved in self.files:
            return resolved
        for root in self.roots:
            if resolved == root or root in resolved.parents:
                return resolved
        raise WorkspaceError(f"{path} is outside the folders this session may use")

    def new_path(self, stem: str, suffix: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:40] or "file"
        return self.work_dir / f"{safe}-{uuid.uuid4().hex[:8]}{suffix}"
