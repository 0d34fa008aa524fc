#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install SportsGPT into it.
#   bash scripts/setup.sh          # the product (plain, non-editable install)
#   bash scripts/setup.sh --dev    # editable install + test/lint tools
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
      python="$candidate"; break
    fi
  done
fi
[ -n "$python" ] || { echo "setup: needs Python 3.11-3.13 (set PYTHON=...)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
else
  .venv/bin/python -m pip install --quiet .
fi
.venv/bin/python -m pip check >&2 || true
echo "setup: installed into $repo/.venv" >&2
