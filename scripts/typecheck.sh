#!/usr/bin/env bash
# mypy over the `sportsgpt` package. The repository root *is* the package (see
# docs/architecture.md), so mypy sees it through a link named sportsgpt in a temp dir.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-$repo/.venv/bin/python}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ln -s "$repo" "$tmp/sportsgpt"
cd "$tmp"
"$py" -m mypy --config-file "$repo/pyproject.toml" -p sportsgpt
