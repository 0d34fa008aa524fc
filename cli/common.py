"""Helpers every subcommand shares: common flags and the text-or-JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print only JSON on stdout")
    p.add_argument("-v", "--verbose", action="store_true", help="more log detail on stderr")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if args.json:
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")
