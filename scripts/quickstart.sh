#!/usr/bin/env bash
# Set up, then run the main job on the bundled sample (a standing long jump, 2D side
# view): its keyframes (MotionDTW against the shipped reference) and its kinematics
# report -> out/quickstart/keyframes.json, angles.csv, angles.png.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh
mkdir -p out/quickstart
.venv/bin/sportsgpt align samples/standing_long_jump_side.csv --motion standing_long_jump
.venv/bin/sportsgpt align samples/standing_long_jump_side.csv --motion standing_long_jump --json \
    > out/quickstart/keyframes.json
.venv/bin/sportsgpt kinematics samples/standing_long_jump_side.csv -o out/quickstart/angles.csv
