"""Agreement of our angles with published ground truth (used by tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from ..data_files import load_json_model
from ..readers.footnet import FootNetStride
from ..readers.mot import MotTable, ik_angles
from .angles import compute_kinematics
from .filtering import FilterSettings
from .series import KinematicSeries


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


class IkAgreementRow(BaseModel):
    """One OpenSim coordinate against our channel for the same joint angle."""

    coordinate: str
    channel: str
    frames: int
    r: float = Field(description="Pearson correlation")
    offset_deg: float = Field(description="mean of ours minus theirs")
    rms_deg: float = Field(description="RMS difference once the offset is removed")


class OpenSimCoordinates(BaseModel):
    title: str
    source: str = Field(min_length=10)
    channels: dict[str, str] = Field(description="OpenSim coordinate -> our channel")


OPENSIM_COORDINATES = Path(__file__).resolve().parents[1] / "readers" / "opensim_coordinates.json"


def ik_agreement(series: KinematicSeries, table: MotTable) -> list[IkAgreementRow]:
    """Our angles against an OpenSim IK file's coordinates (``readers/opensim_coordinates
    .json`` says which is which), ours interpolated at the IK file's times; coordinates
    either side lacks are left out."""
    mapping = load_json_model(OPENSIM_COORDINATES, OpenSimCoordinates, "coordinate map")
    theirs = ik_angles(table)
    rows = []
    for coordinate, channel in mapping.channels.items():
        if coordinate not in theirs or channel not in series.channels:
            continue
        ours = np.interp(table.time, series.times, np.asarray(series.channels[channel]))
        ok = np.isfinite(ours) & np.isfinite(theirs[coordinate])
        if ok.sum() < 3:
            continue
        a, b = ours[ok], theirs[coordinate][ok]
        diff = a - b
        rows.append(
            IkAgreementRow(
                coordinate=coordinate,
                channel=channel,
                frames=int(ok.sum()),
                r=round(float(np.corrcoef(a, b)[0, 1]), 4),
                offset_deg=round(float(diff.mean()), 2),
                rms_deg=round(float(np.sqrt(np.mean((diff - diff.mean()) ** 2))), 2),
            )
        )
    return rows
