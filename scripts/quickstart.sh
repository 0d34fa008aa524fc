#!/usr/bin/env bash
# Set up, then run the main job on the bundled sample: the kinematics report of a
# standing long jump (2D side view) -> out/quickstart/angles.csv + angles.png.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh
.venv/bin/sportsgpt kinematics samples/standing_long_jump_side.csv -o out/quickstart/angles.csv
