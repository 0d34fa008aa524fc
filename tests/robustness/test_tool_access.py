"""Tool calls reach the files the user handed over, never what lies beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from sportsgpt.agent.tools import ToolContext, resolve_upload, run_tool
from sportsgpt.agent.workspace import Workspace, WorkspaceError


def test_a_handed_over_file_opens_that_file_only(tmp_path: Path) -> None:
    home = tmp_path / "athlete"
    home.mkdir()
    clip = home / "jump.csv"
    clip.write_text("time,left_hip_x,left_hip_y\n0,1,2\n")
    secret = home / ".env"
    secret.write_text("OPENAI_API_KEY=sk-secret\n")
    ctx = ToolContext(workspace=Workspace(tmp_path / "work"), kb=cast(Any, None))
    assert resolve_upload(ctx, clip) == clip.resolve()
    assert ctx.workspace.resolve(clip) == clip.resolve()
    with pytest.raises(WorkspaceError, match="outside the folders"):
        ctx.workspace.resolve(secret)
    # a model asking a tool for the sibling gets a refusal, and nothing of the file
    with pytest.raises(Exception) as err:
        run_tool(ctx, "extract_pose", {"path": str(secret)})
    assert "sk-secret" not in str(err.value) and "OPENAI" not in str(err.value)
