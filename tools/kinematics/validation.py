"""Agreement of our angles with published ground truth (used by tests and benchmarks)."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from ..readers.footnet import FootNetStride
from .angles import compute_kinematics
from .filtering import FilterSettings


class AngleAgreement(BaseModel):
    """Per-stride Pearson r, RMS after removing the constant offset, and that offset."""

    r: list[float]
    rms_deg: list[float]
    offset_deg: list[float]


def footnet_ankle_agreement(
    strides: list[FootNetStride], cutoff_hz: float | None
) -> AngleAgreement:
    """Our 3D ankle angle from FootNet's segment ends vs FootNet's sagittal ankle angle."""
    r, rms, offset = [], [], []
    for st in strides:
        k = compute_kinematics(st.pose, side=st.side, settings=FilterSettings(cutoff_hz=cutoff_hz))
        ours = k.channels[f"{st.side}_ankle_dorsiflexion_3d"]
        ref = st.ankle_angle[:, 0]
        ok = np.isfinite(ours) & np.isfinite(ref)
        d = ours[ok] - ref[ok]
        r.append(float(np.corrcoef(ours[ok], ref[ok])[0, 1]))
        offset.append(float(d.mean()))
        rms.append(float(np.sqrt(np.mean((d - d.mean()) ** 2))))
    return AngleAgreement(r=r, rms_deg=rms, offset_deg=offset)
