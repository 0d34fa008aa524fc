#!/usr/bin/env bash
# Start the app with the given command (e.g. `python app.py`) in the checkout, wait until
# it serves its page on 127.0.0.1, fetch /, stop it. Exit 0 when the page names SportsGPT.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
port="${SERVE_CHECK_PORT:-7861}"
log="$(mktemp)"
started=$SECONDS
setsid "$@" --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill -TERM -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "serve_check: '$*' exited before serving:" >&2; tail -20 "$log" >&2; exit 1
  fi
  if .venv/bin/python - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
page = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=5).read().decode()
sys.exit(0 if "SportsGPT" in page else 1)
PY
  then
    echo "serve_check: '$*' served http://127.0.0.1:$port/ after $((SECONDS - started)) s" >&2
    exit 0
  fi
  sleep 0.5
done
echo "serve_check: '$*' did not serve / within 120 s:" >&2; tail -20 "$log" >&2; exit 1
