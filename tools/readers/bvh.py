"""BVH motion capture: parse the hierarchy, run forward kinematics, map to canonical joints.

Output is 3D, metres, y up. BVH carries no unit: offsets are taken as centimetres when
the skeleton is taller than 3 units, millimetres when taller than 300 (documented).
End sites are named ``<Parent>End`` (so ``LeftAnkleEnd`` becomes ``left_toe``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import MotionInputError
from ..geometry import euler_to_matrix
from ..pose_sequence import PoseSequence
from ..skeleton import map_named_joints
from .limits import check_fps, check_shape

_ROT = {"xrotation": "x", "yrotation": "y", "zrotation": "z"}
_POS = {"xposition": 0, "yposition": 1, "zposition": 2}


@dataclass
class _Joint:
    name: str
    parent: int
    offset: np.ndarray
    channels: list[str] = field(default_factory=list)
    channel_start: int = 0


def _parse_hierarchy(tokens: list[str], path: Path) -> tuple[list[_Joint], int]:
    joints: list[_Joint] = []
    stack: list[int] = []
    i, n_channels = 0, 0
    pending_parent = -1
    try:
        if tokens[0].upper() != "HIERARCHY":
            raise MotionInputError(path, "not a BVH file (no HIERARCHY section)")
        i = 1
        while i < len(tokens):
            tok = tokens[i].upper()
            if tok in ("ROOT", "JOINT"):
                name = tokens[i + 1]
                pending_parent = stack[-1] if stack else -1
                joints.append(_Joint(name, pending_parent, np.zeros(3)))
                i += 2
            elif tok == "END":  # End Site
                parent = stack[-1]
                joints.append(_Joint(f"{joints[parent].name}End", parent, np.zeros(3)))
                i += 2
            elif tok == "{":
                stack.append(len(joints) - 1)
                i += 1
            elif tok == "}":
                stack.pop()
                i += 1
            elif tok == "OFFSET":
                joints[stack[-1]].offset = np.array([float(t) for t in tokens[i + 1 : i + 4]])
                i += 4
            elif tok == "CHANNELS":
                count = int(tokens[i + 1])
                chans = [t.lower() for t in tokens[i + 2 : i + 2 + max(count, 0)]]
                bad = [c for c in chans if c not in _ROT and c not in _POS]
                if bad:
                    raise MotionInputError(path, f"unknown BVH channel(s) {bad}")
                jnt = joints[stack[-1]]
                if not 0 <= count <= 6 or len(chans) != count or len(set(chans)) != count:
                    raise MotionInputError(path, f"joint {jnt.name!r}: CHANNELS {count} does "
                                           f"not name {count} distinct channels")  # fmt: skip
                if jnt.channels:
                    raise MotionInputError(path, f"joint {jnt.name!r} has two CHANNELS lines")
                jnt.channels, jnt.channel_start = chans, n_channels
                n_channels += count
                i += 2 + count
            elif tok == "MOTION":
                return joints, i + 1
            else:
                raise MotionInputError(path, f"unexpected token {tokens[i]!r} in HIERARCHY")
    except (IndexError, ValueError):
        raise MotionInputError(path, "truncated or malformed HIERARCHY section") from None
    raise MotionInputError(path, "truncated BVH: no MOTION section")


def read_bvh(path: Path) -> PoseSequence:
    """Read a BVH file into a 3D PoseSequence (metres, y up)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        raise MotionInputError(path, "empty file")
    head, sep, motion = text.partition("MOTION")
    if not sep:
        raise MotionInputError(path, "truncated BVH: no MOTION section")
    joints, _ = _parse_hierarchy([*head.split(), "MOTION"], path)
    if not joints:
        raise MotionInputError(path, "BVH hierarchy has no joints")
    n_channels = sum(len(j.channels) for j in joints)
    lines = motion.strip().splitlines()
    try:
        n_frames = int(lines[0].split(":")[1])
        frame_time = float(lines[1].split(":")[1])
    except (IndexError, ValueError):
        raise MotionInputError(path, "truncated BVH: missing 'Frames:' / 'Frame Time:'") from None
    if frame_time <= 0:
        raise MotionInputError(path, f"Frame Time must be positive, got {frame_time}")
    # forward kinematics holds every joint (with channels or not) in every frame
    check_shape(path, frames=n_frames, points=len(joints), dims=12)
    check_fps(path, 1.0 / frame_time)
    rows = [ln for ln in lines[2:] if ln.strip()]
    if len(rows) < n_frames:
        raise MotionInputError(
            path, f"truncated BVH: header declares {n_frames} frames, file has {len(rows)}"
        )
    try:
        data = np.array([[float(v) for v in r.split()] for r in rows[:n_frames]])
    except ValueError:
        raise MotionInputError(path, "motion data contains a non-numeric value") from None
    if data.ndim != 2 or data.shape[1] != n_channels:
        widths = sorted({len(r.split()) for r in rows[:n_frames]})
        raise MotionInputError(
            path, f"motion rows have {widths} values, hierarchy declares {n_channels} channels"
        )
    if n_frames == 0:
        raise MotionInputError(path, "BVH has zero frames")

    world = _forward_kinematics(joints, data)
    scale = _unit_scale(joints)
    mapping = map_named_joints([j.name for j in joints])
    if not mapping:
        raise MotionInputError(path, "no BVH joint maps to a canonical joint name")
    index = {j.name: k for k, j in enumerate(joints)}
    coords = {canon: world[:, index[src]] * scale for src, canon in mapping.items()}
    return PoseSequence.from_joint_dict(
        coords, fps=1.0 / frame_time, units="m", skeleton="bvh", source=str(path)
    )


def _forward_kinematics(joints: list[_Joint], data: np.ndarray) -> np.ndarray:
    """(T, n_joints, 3) world positions in file units."""
    t = data.shape[0]
    rot = np.zeros((len(joints), t, 3, 3))
    pos = np.zeros((len(joints), t, 3))
    for k, jnt in enumerate(joints):
        local_t = np.broadcast_to(jnt.offset, (t, 3)).copy()
        rot_channels = [c for c in jnt.channels if c in _ROT]
        for c in jnt.channels:
            if c in _POS:
                local_t[:, _POS[c]] += data[:, jnt.channel_start + jnt.channels.index(c)]
        if rot_channels:
            cols = [jnt.channel_start + jnt.channels.index(c) for c in rot_channels]
            order = "".join(_ROT[c] for c in rot_channels)
            local_r = euler_to_matrix(data[:, cols], order)
        else:
            local_r = np.broadcast_to(np.eye(3), (t, 3, 3))
        if jnt.parent < 0:
            rot[k], pos[k] = local_r, local_t
        else:
            p = jnt.parent
            rot[k] = rot[p] @ local_r
            pos[k] = pos[p] + np.einsum("tij,tj->ti", rot[p], local_t)
    return np.moveaxis(pos, 0, 1)


def _unit_scale(joints: list[_Joint]) -> float:
    """Metres per file unit, from the rest-pose height of the skeleton."""
    rest = np.zeros((len(joints), 3))
    for k, jnt in enumerate(joints):
        rest[k] = jnt.offset if jnt.parent < 0 else rest[jnt.parent] + jnt.offset
    height = float(np.ptp(rest[:, 1]))
    if height > 300:
        return 0.001
    if height > 3:
        return 0.01
    return 1.0
