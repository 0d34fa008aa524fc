"""``sportsgpt config``: every setting's effective value and where it came from."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_common, emit


def add_config_parser(sub: Any) -> None:
    p = sub.add_parser(
        "config",
        help="show every setting, its value and where it came from (secrets masked)",
        description="Prints the effective settings: an explicit option, then the "
        "environment, then the config file, then the default (docs/configuration.md).",
    )
    p.add_argument(
        "--table", action="store_true",
        help="print the Markdown table of every setting (as in docs/configuration.md)",
    )  # fmt: skip
    add_common(p)
    p.set_defaults(handler=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    from ..settings import config_file, describe

    rows = describe(args.settings, args.explicit_settings)
    if args.table:
        table = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
        table += [f"| `{r.name}` | {', '.join(f'`{e}`' for e in r.env)} | "
                  f"{r.default_doc} | {r.description} |" for r in rows]  # fmt: skip
        emit(args, [r.model_dump() for r in rows], "\n".join(table))
        return 0
    file = config_file()
    width = max(len(r.name) for r in rows)
    vwidth = min(max(len(r.value) for r in rows), 48)
    lines = [f"config file: {file} ({'read' if file.is_file() else 'not present'})"]
    lines += [f"{r.name:<{width}}  {r.value:<{vwidth}}  {r.source}" for r in rows]
    payload = {"config_file": str(file), "config_file_present": file.is_file(),
               "settings": [r.model_dump() for r in rows]}  # fmt: skip
    emit(args, payload, "\n".join(lines))
    return 0
