"""DeepMimic motion clips: JSON ``{"Loop", "Frames"}`` + a character file, via forward kinematics.

Each frame is ``[dt, root xyz, root quat wxyz, then per non-root, non-fixed joint of the
character: quat wxyz (spherical) or one angle about z (revolute)]``; y up, metres.
The character has no toes, heels or head: we place ``toe`` and ``heel`` at the front and
back of the foot box's sole and ``head`` at the centre of the neck body's sphere, all
from the character file's own body geometry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MotionInputError, SharedDataNotFoundError
from ..geometry import axis_rotation, euler_to_matrix, quaternion_to_matrix
from ..pose_sequence import PoseSequence
from ..shared_data import shared_dir
from ..skeleton import canonical_from_name

_DOF = {"spherical": 4, "revolute": 1, "fixed": 0, "none": 0}


def find_character(clip: Path, character: str | Path | None = None) -> Path:
    """The character file: ``--character``, then beside the clip, then the shared data."""
    if character is not None:
        path = Path(character)
        if not path.is_file():
            raise MotionInputError(path, "character file not found")
        return path
    prefix = clip.name.split("_")[0]
    for folder in (clip.parent, clip.parent.parent):
        candidates = sorted(folder.glob("*_character.txt"))
        preferred = [c for c in candidates if c.name.startswith(prefix)]
        if preferred or candidates:
            return (preferred or candidates)[0]
    try:
        shared_char = shared_dir() / "data" / "deepmimic" / "humanoid3d_character.txt"
    except SharedDataNotFoundError:
        shared_char = None
    if shared_char is not None and shared_char.is_file():
        return shared_char
    raise MotionInputError(
        clip,
        "DeepMimic clip needs its character file: pass --character, put *_character.txt "
        "beside the clip, or make the shared data folder available",
    )


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MotionInputError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None


def read_deepmimic(path: Path, character: str | Path | None = None) -> PoseSequence:
    """Read a DeepMimic clip into a 3D PoseSequence (metres, y up)."""
    doc = _load_json(path)
    return deepmimic_from_document(doc, path, character)


def deepmimic_from_document(
    doc: Any, path: Path, character: str | Path | None = None
) -> PoseSequence:
    if not isinstance(doc, dict) or "Frames" not in doc:
        raise MotionInputError(path, "not a DeepMimic clip (no 'Frames')")
    char_path = find_character(path, character)
    char = _load_json(char_path)
    try:
        joints = char["Skeleton"]["Joints"]
        bodies = {b["Name"]: b for b in char.get("BodyDefs", [])}
    except (KeyError, TypeError):
        raise MotionInputError(char_path, "not a DeepMimic character file") from None
    try:
        frames = np.asarray(doc["Frames"] or np.empty((0, 0)), dtype=np.float64)
    except (ValueError, TypeError):
        raise MotionInputError(
            path, "'Frames' must be rows of numbers, all of one length"
        ) from None
    if frames.ndim != 2 or frames.shape[0] == 0:
        raise MotionInputError(path, "clip has no frames (or rows of unequal length)")
    width = 8 + sum(_DOF[j["Type"]] for j in joints if j["Parent"] >= 0)
    if frames.shape[1] != width:
        raise MotionInputError(
            path, f"frames have {frames.shape[1]} values, character {char_path.name} needs {width}"
        )
    if not np.isfinite(frames).all():
        raise MotionInputError(path, "clip contains non-finite values")
    t = frames.shape[0]
    rot = np.zeros((len(joints), t, 3, 3))
    pos = np.zeros((len(joints), t, 3))
    col = 8
    for k, j in enumerate(joints):
        attach = np.array([j["AttachX"], j["AttachY"], j["AttachZ"]], dtype=np.float64)
        theta = [j.get("AttachThetaX", 0.0), j.get("AttachThetaY", 0.0), j.get("AttachThetaZ", 0.0)]
        r_attach = euler_to_matrix(np.array([theta]), "xyz")[0]
        if j["Parent"] < 0:
            pos[k] = frames[:, 1:4]
            rot[k] = quaternion_to_matrix(frames[:, 4:8])
            continue
        dof = _DOF[j["Type"]]
        if j["Type"] == "spherical":
            local = quaternion_to_matrix(frames[:, col : col + 4])
        elif j["Type"] == "revolute":
            local = axis_rotation("z", frames[:, col])
        else:
            local = np.broadcast_to(np.eye(3), (t, 3, 3))
        col += dof
        p = j["Parent"]
        pos[k] = pos[p] + np.einsum("tij,j->ti", rot[p], attach)
        rot[k] = rot[p] @ r_attach @ local

    coords: dict[str, np.ndarray] = {}
    for k, j in enumerate(joints):
        canon = "pelvis" if j["Name"] == "root" else canonical_from_name(j["Name"])
        if canon is not None:
            coords[canon] = pos[k]
    index = {j["Name"]: k for k, j in enumerate(joints)}
    for side in ("left", "right"):
        ankle = f"{side}_ankle"
        if ankle in index and ankle in bodies and bodies[ankle].get("Shape") == "box":
            b = bodies[ankle]
            centre = np.array([b["AttachX"], b["AttachY"], b["AttachZ"]], dtype=np.float64)
            half_len, half_h = b["Param0"] / 2, b["Param1"] / 2
            for name, dx in ((f"{side}_toe", half_len), (f"{side}_heel", -half_len)):
                local_pt = centre + np.array([dx, -half_h, 0.0])
                k = index[ankle]
                coords[name] = pos[k] + np.einsum("tij,j->ti", rot[k], local_pt)
    if "neck" in index and "neck" in bodies:
        b = bodies["neck"]
        centre = np.array([b["AttachX"], b["AttachY"], b["AttachZ"]], dtype=np.float64)
        k = index["neck"]
        coords["head"] = pos[k] + np.einsum("tij,j->ti", rot[k], centre)

    dt = frames[:, 0]
    step = dt[dt > 0]
    if step.size == 0:
        raise MotionInputError(path, "every frame duration (dt) is zero: frame rate unknown")
    # dt[i] is the duration of frame i; the last frame of a looping clip has dt 0.
    durations = np.where(dt > 0, dt, np.median(step))
    times = np.concatenate([[0.0], np.cumsum(durations[:-1])])
    return PoseSequence.from_joint_dict(
        coords,
        fps=float(1.0 / np.median(step)),
        units="m",
        skeleton="deepmimic",
        source=str(path),
        times=times,
    )
