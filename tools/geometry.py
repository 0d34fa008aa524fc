"""Vectorised rotation helpers for forward kinematics (frames x 3 x 3 matrices)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def axis_rotation(axis: str, angle_rad: Array) -> Array:
    """(T, 3, 3) rotations about x, y or z by the given angles (radians)."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    one, zero = np.ones_like(c), np.zeros_like(c)
    if axis == "x":
        rows = [[one, zero, zero], [zero, c, -s], [zero, s, c]]
    elif axis == "y":
        rows = [[c, zero, s], [zero, one, zero], [-s, zero, c]]
    elif axis == "z":
        rows = [[c, -s, zero], [s, c, zero], [zero, zero, one]]
    else:
        raise ValueError(f"unknown rotation axis {axis!r}")
    return np.moveaxis(np.array(rows, dtype=np.float64), (0, 1), (-2, -1))


def quaternion_to_matrix(q_wxyz: Array) -> Array:
    """(T, 3, 3) rotation matrices from (T, 4) quaternions (w, x, y, z), normalised first."""
    q = np.asarray(q_wxyz, dtype=np.float64)
    norm = np.linalg.norm(q, axis=-1, keepdims=True)
    q = q / np.where(norm == 0, 1.0, norm)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    m = np.empty((*q.shape[:-1], 3, 3), dtype=np.float64)
    m[..., 0, 0] = 1 - 2 * (y * y + z * z)
    m[..., 0, 1] = 2 * (x * y - z * w)
    m[..., 0, 2] = 2 * (x * z + y * w)
    m[..., 1, 0] = 2 * (x * y + z * w)
    m[..., 1, 1] = 1 - 2 * (x * x + z * z)
    m[..., 1, 2] = 2 * (y * z - x * w)
    m[..., 2, 0] = 2 * (x * z - y * w)
    m[..., 2, 1] = 2 * (y * z + x * w)
    m[..., 2, 2] = 1 - 2 * (x * x + y * y)
    return m


def euler_to_matrix(angles_deg: Array, order: str) -> Array:
    """(T, 3, 3) from intrinsic Euler angles in the listed order (BVH convention).

    ``order`` like "ZXY" means R = Rz(a0) @ Rx(a1) @ Ry(a2).
    """
    rad = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
    result = np.broadcast_to(np.eye(3), (*rad.shape[:-1], 3, 3)).copy()
    for i, axis in enumerate(order.lower()):
        result = result @ axis_rotation(axis, rad[..., i])
    return result
