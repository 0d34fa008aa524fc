"""The app under concurrent sessions (issue 17): ``python app.py`` in its own process,
N gradio_client users at once, each analysing the sample jump, asking a follow-up and
ending the session. Prints each user's completion time, the queue messages they were
shown, and the files left in Gradio's folder after all sessions end (target 0).

.venv/bin/python benchmarks/app_sessions.py [--users 8] [--slots 2] [--waiting 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # robustness.*

from robustness.test_app_sessions import app_server, files_left, sessions

from sportsgpt.kb import KnowledgeBase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--waiting", type=int, default=8)
    args = parser.parse_args()
    kb = KnowledgeBase()
    kb.search("arm swing", limit=1)  # the knowledge base is ready before the clock starts
    with tempfile.TemporaryDirectory() as tmp, app_server(
        kb, Path(tmp), SPORTSGPT_APP_MAX_CONCURRENT=str(args.slots),
        SPORTSGPT_APP_MAX_WAITING=str(args.waiting),
    ) as (url, temp, _):  # fmt: skip
        results = sessions(url, args.users)
        time.sleep(1.0)
        left = files_left(temp)
    print(f"{args.users} users, {args.slots} at once, up to {args.waiting} waiting\n")
    print("| user | analysis done after (s) | answer grounded | queue messages shown |")
    print("|---:|---:|---|---|")
    for i, r in enumerate(results, 1):
        ok = "error: " + r["error"] if "error" in r else (
            "yes" if "[kb:" in r["answer"] and "arm swing" in r["answer"] else "NO")  # fmt: skip
        counts = [q.split("busy: ")[1].split(" request")[0] for q in r.get("queue", [])]
        queue = (f'"{r["queue"][0]}" then {", ".join(counts[1:]) or "-"} ahead'
                 if counts else "-")  # fmt: skip
        print(f"| {i} | {r.get('seconds', '-')} | {ok} | {queue} |")
    print(f"\nfiles left in Gradio's folder after the sessions ended: {len(left)}")


if __name__ == "__main__":
    main()
