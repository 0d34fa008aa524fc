#!/usr/bin/env bash
# Set up (the same editable install + test tools), then lint, type-check and run every
# test: fast unit tests first, then integration tests on the real data in ../shared.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
bash scripts/typecheck.sh
# unit tests (-m unit) run first, then integration (-m integration), one summary line
.venv/bin/python -m pytest tests/unit tests/integration tests/robustness
