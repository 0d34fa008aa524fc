import json
from pathlib import Path

import pytest

from sportsgpt.cli.main import build_parser, main
from sportsgpt.samples import sample_path


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("info", "convert", "kinematics"):
        assert cmd in out
    assert build_parser().prog == "sportsgpt"


def test_error_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["info", str(tmp_path / "missing.csv")])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("sportsgpt: error:")


def test_json_output_is_only_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "kinematics",
            str(sample_path("standing_long_jump_side.csv")),
            "-o",
            str(tmp_path / "k.csv"),
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    doc = json.loads(out)
    assert doc["view"] == "side" and doc["frames"] == 107
    assert (tmp_path / "k.png").stat().st_size > 10_000
