"""MotionDTW: two-stage alignment of elite references to long recordings (docs/motiondtw.md)."""
