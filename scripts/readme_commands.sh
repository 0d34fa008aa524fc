#!/usr/bin/env bash
# Print the commands of README.md's Quick start block, one a line, without comments:
# .ci/run runs exactly these, in this order.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
awk '/^## Quick start/{q=1} q&&/^```bash/{b=1; next} b&&/^```/{exit} b' "$repo/README.md" |
  sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d'
