"""One entry point for every motion format: ``read_motion(path)`` and ``write_motion``.

The format comes from the extension, or from the content when the extension is
unknown or ambiguous (``.json``/``.txt`` may be ours, DeepMimic, COCO or OpenPose).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

from ...settings import current_settings
from ..errors import InvalidPoseError, MotionInputError
from ..pose_io import load_npz, pose_from_dict, save_json, save_npz
from ..pose_sequence import PoseSequence
from .bvh import read_bvh
from .c3d_file import read_c3d
from .csv_wide import read_csv, write_csv
from .deepmimic import deepmimic_from_document
from .keypoints2d import coco_from_document, is_coco, is_openpose, read_openpose
from .lab_writers import write_c3d, write_trc
from .limits import check_fps, check_shape
from .trc import read_trc

log = logging.getLogger(__name__)

MotionFormat = Literal[
    "sportsgpt-json", "npz", "csv", "bvh", "trc", "c3d", "deepmimic", "coco", "openpose"
]
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv"}
FORMAT_BY_SUFFIX = {".bvh": "bvh", ".trc": "trc", ".c3d": "c3d", ".csv": "csv", ".npz": "npz",
                    ".mat": "mat", ".mot": "mot", ".sto": "mot"}  # fmt: skip
# every file a folder of recordings may hold: videos, the formats above, and our JSON /
# DeepMimic / COCO / OpenPose documents (.json, .txt; told apart by content)
MOTION_SUFFIXES = VIDEO_SUFFIXES | set(FORMAT_BY_SUFFIX) | {".json", ".txt"}
DEFAULT_2D_FPS = 30.0


def _sniff_text(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise MotionInputError(path, "empty file")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.upper().startswith("HIERARCHY"):
        return "bvh"
    if text.startswith("PathFileType"):
        return "trc"
    if text[:1] in "{[":
        return "json"
    if text.startswith("#") or text.lower().startswith("time"):
        return "csv"
    if head.startswith(b"PK"):
        return "npz"
    raise MotionInputError(path, "unrecognised file format (expected a pose/motion file)")


def detect_format(path: Path) -> str:
    """Coarse format from extension, else content: bvh, trc, csv, npz, json, openpose-dir."""
    if path.is_dir():
        return "openpose"
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in FORMAT_BY_SUFFIX:
        return FORMAT_BY_SUFFIX[suffix]
    return _sniff_text(path)


def source_kind(path: Path, dims: int) -> str:
    """What a recording is, as the history and the tools report it: video, mocap (3D) or
    keypoints (2D)."""
    return (
        "video" if path.suffix.lower() in VIDEO_SUFFIXES else "mocap" if dims == 3 else "keypoints"
    )


def check_input_size(path: Path) -> None:
    """Refuse a file over the ``input_max_mb`` setting before reading a byte of it."""
    if not path.is_file():
        return
    limit = current_settings().input_max_mb
    size_mb = path.stat().st_size / (1024 * 1024)
    if size_mb > limit:
        raise MotionInputError(
            path, f"{size_mb:.3g} MB is over the input limit of {limit:g} MB "
            "(the input_max_mb setting, $SPORTSGPT_INPUT_MAX_MB)",
        )  # fmt: skip


def read_motion(
    path: str | Path,
    *,
    fps: float | None = None,
    person: int | None = None,
    character: str | Path | None = None,
    marker_set: str | None = None,
    keypoint_map: str | Path | None = None,
) -> PoseSequence:
    """Read any supported motion file into a PoseSequence, or raise MotionInputError.

    ``fps`` is needed for formats that carry no time (COCO, OpenPose; default 30 with a
    warning) and overrides the file's rate for CSV. ``person`` picks a track id in
    multi-person 2D files. ``character`` is the DeepMimic character file. ``marker_set``
    names the lab marker set of a TRC or C3D file (default: the one that fits best);
    ``keypoint_map`` what a COCO file's keypoint labels mean (a shipped map's name or a
    file; default: the labels themselves, or a shipped map made for exactly them).
    """
    path = Path(path)
    try:
        seq = _read_motion(path, fps=fps, person=person, character=character,
                           marker_set=marker_set, keypoint_map=keypoint_map)  # fmt: skip
    except MemoryError:
        raise MotionInputError(path, "too large to unpack in memory (see the input_max_* "
                               "settings)") from None  # fmt: skip
    except RecursionError:
        raise MotionInputError(path, "nested too deeply to read") from None
    except InvalidPoseError as exc:  # the data model refused what the reader made of it
        raise MotionInputError(path, str(exc)) from None
    except UnicodeDecodeError:
        raise MotionInputError(path, "is not UTF-8 text (a binary file, or one saved in "
                               "another encoding?)") from None  # fmt: skip
    # whatever the reader trusted, what comes out is within the limits
    check_fps(path, seq.fps)
    check_shape(path, frames=seq.n_frames, points=len(seq.joints), dims=seq.dims)
    return seq


def _read_motion(
    path: Path,
    *,
    fps: float | None,
    person: int | None,
    character: str | Path | None,
    marker_set: str | None,
    keypoint_map: str | Path | None,
) -> PoseSequence:
    if not path.exists():
        raise MotionInputError(path, "file not found")
    check_input_size(path)
    kind = detect_format(path)
    if kind == "openpose":
        return read_openpose(path, fps=_fps_2d(fps, path), person=person)
    if path.stat().st_size == 0:
        raise MotionInputError(path, "empty file")
    if kind == "video":
        raise MotionInputError(path, "this is a video: extract the skeleton first (sportsgpt pose)")
    if kind == "mat":
        raise MotionInputError(
            path, "MATLAB files are read only as FootNet stride sets (tools.readers.footnet)"
        )
    if kind == "bvh":
        return read_bvh(path)
    if kind == "trc":
        return read_trc(path, marker_set)
    if kind == "c3d":
        return read_c3d(path, marker_set)
    if kind == "mot":
        raise MotionInputError(
            path, "an OpenSim .mot/.sto holds angles or forces, not positions, so it is no "
            "motion input: 'sportsgpt info' describes it, and 'sportsgpt kinematics TRIAL.trc "
            "-o angles.csv --compare-ik FILE.mot' checks our angles against its IK",
        )  # fmt: skip
    if kind == "csv":
        return read_csv(path, fps=fps)
    if kind == "npz":
        return load_npz(path)
    return _read_json(path, fps=fps, person=person, character=character,
                      keypoint_map=keypoint_map)  # fmt: skip


def _fps_2d(fps: float | None, path: Path) -> float:
    if fps is None:
        log.warning(
            "%s carries no frame rate; assuming %.0f fps (pass --fps)", path, DEFAULT_2D_FPS
        )
        return DEFAULT_2D_FPS
    return fps


def _read_json(
    path: Path, *, fps: float | None, person: int | None, character: str | Path | None,
    keypoint_map: str | Path | None = None,
) -> PoseSequence:  # fmt: skip
    try:
        doc: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    except InvalidPoseError as exc:  # the data model refused what the reader made of it
        raise MotionInputError(path, str(exc)) from None
    except UnicodeDecodeError:
        raise MotionInputError(path, "not a text file") from None
    except json.JSONDecodeError as exc:
        raise MotionInputError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise MotionInputError(path, "JSON nested too deeply to be a motion file") from None
    if isinstance(doc, dict) and doc.get("format") == "sportsgpt.pose":
        return pose_from_dict(doc, path)
    if isinstance(doc, dict) and "Frames" in doc:
        return deepmimic_from_document(doc, path, character)
    if is_coco(doc):
        return coco_from_document(doc, path, fps=_fps_2d(fps, path), person=person,
                                  keypoint_map_name=keypoint_map)  # fmt: skip
    if is_openpose(doc):
        return read_openpose(path, fps=_fps_2d(fps, path), person=person)
    raise MotionInputError(
        path, "JSON is none of: sportsgpt pose, DeepMimic clip, COCO keypoints, OpenPose frame"
    )


def write_motion(seq: PoseSequence, path: str | Path) -> Path:
    """Write as .json, .npz, .csv, .trc or .c3d (by extension)."""
    path = Path(path)
    suffix = path.suffix.lower()
    writers = {".json": save_json, ".npz": save_npz, ".csv": write_csv, ".trc": write_trc,
               ".c3d": write_c3d}  # fmt: skip
    if suffix not in writers:
        raise MotionInputError(path, "output must end in .json, .npz, .csv, .trc or .c3d")
    path.parent.mkdir(parents=True, exist_ok=True)
    writers[suffix](seq, path)
    return path


__all__ = ["detect_format", "read_motion", "write_motion"]
