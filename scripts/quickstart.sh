#!/usr/bin/env bash
# Set up, then run the main job on the bundled sample (a standing long jump, 2D side
# view): its keyframes (MotionDTW against the shipped reference), its kinematics report,
# and the coach's report (diagnosis with evidence, a dosed plan citing the knowledge
# base; offline mode unless a language model is configured) -> out/quickstart/
# keyframes.json, angles.csv, report.md, report.json, figures/ (keyframe pictures beside
# the elite pose, angle plot).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh
mkdir -p out/quickstart
.venv/bin/sportsgpt align samples/standing_long_jump_side.csv --motion standing_long_jump
.venv/bin/sportsgpt align samples/standing_long_jump_side.csv --motion standing_long_jump --json \
    > out/quickstart/keyframes.json
.venv/bin/sportsgpt kinematics samples/standing_long_jump_side.csv -o out/quickstart/angles.csv
# the first run starts the embedded knowledge base and fills it (about a minute)
.venv/bin/sportsgpt analyze samples/standing_long_jump_side.csv --motion standing_long_jump \
    -o out/quickstart/report.md --figures out/quickstart/figures --json > out/quickstart/report.json
cat out/quickstart/report.md
