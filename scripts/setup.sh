#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install SportsGPT into it, editable (the checkout is
# the code that runs), then check the install and repair what an earlier one left behind.
#   bash scripts/setup.sh          # SportsGPT and its dependencies
#   bash scripts/setup.sh --dev    # the same install, plus the test/lint tools
# One install mode for both, so the README's commands work in any order, repeatedly.
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
py=.venv/bin/python
extras=""
[ "${1:-}" = "--dev" ] && extras="[test]"
$py -m pip install --quiet --upgrade pip
$py -m pip install --quiet -e ".${extras}"
$py -m pip check >&2 || true
if ! $py scripts/check_install.py --repair; then
  echo "setup: reinstalling SportsGPT after the repair" >&2
  $py -m pip uninstall --quiet -y sportsgpt || true
  $py -m pip install --quiet --no-deps -e .
  $py scripts/check_install.py || { echo "setup: the install is still broken (see above)" >&2; exit 1; }
fi
echo "setup: installed into $repo/.venv" >&2
