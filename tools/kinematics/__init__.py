"""Kinematics: cleaned positions -> joint/segment angles, COM proxy, velocities."""

from .angles import compute_kinematics, leg_length
from .body_frame import estimate_view
from .filtering import FilterSettings
from .series import KinematicSeries

__all__ = ["FilterSettings", "KinematicSeries", "compute_kinematics", "estimate_view", "leg_length"]
