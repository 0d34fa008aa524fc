"""``sportsgpt eval run|report|compare|suites``: the eval harness (docs/evals.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import add_common, emit


def add_eval_parsers(sub: Any) -> None:
    ev = sub.add_parser(
        "eval",
        help="score the coach on a suite: traces, alignment, diagnosis, retrieval, guidance, "
        "ablations, cost",
        description="Run a suite of cases built from ../shared through the coach (every "
        "variant; offline, and with the language model when one is configured), then report "
        "or compare. See docs/evals.md.",
    )
    ev_sub = ev.add_subparsers(dest="eval_command", required=True, metavar="EVAL_COMMAND")

    p = ev_sub.add_parser("run", help="run a suite and store traces, scores and a summary")
    p.add_argument("--suite", default="ci", help="a suite name (evals/suites) or a JSON path")
    p.add_argument("-o", "--output", type=Path, required=True, help="results folder")
    p.add_argument(
        "--variants", default="full,one_stage,no_kismam,no_retrieval",
        help="comma-separated: full, one_stage, no_kismam, no_retrieval, keyframes_shifted",
    )  # fmt: skip
    p.add_argument(
        "--modes", default=None,
        help="offline and/or llm (default: both when a language model is configured)",
    )  # fmt: skip
    p.add_argument("--no-judge", action="store_true", help="skip the LLM-as-judge")
    p.add_argument("--shared", type=Path, default=None, help="the shared data folder")
    p.add_argument("--no-report", action="store_true", help="do not write the report")
    add_common(p)
    p.set_defaults(handler=cmd_run)

    p = ev_sub.add_parser("report", help="report.md/.html/.json and plots of a results folder")
    p.add_argument("results", type=Path)
    add_common(p)
    p.set_defaults(handler=cmd_report)

    p = ev_sub.add_parser("compare", help="regressions between two results folders (exit 1)")
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--tolerance", type=float, default=0.02, help="allowed drop of a share")
    add_common(p)
    p.set_defaults(handler=cmd_compare)

    p = ev_sub.add_parser("suites", help="the suites shipped")
    add_common(p)
    p.set_defaults(handler=cmd_suites)


def _run_conversations(args: argparse.Namespace, model: Any) -> int:
    from ..evals.conversation import load_conversations, run_conversations
    from ..kb import KBSettings, KnowledgeBase
    from ..tools.shared_data import shared_dir

    kb = KnowledgeBase(KBSettings.from_settings(args.settings))
    summary = run_conversations(load_conversations(args.suite), args.output, kb,
                                shared_dir(args.shared), model=model)  # fmt: skip
    lines = [
        f"{summary['turns']} turns, pass rate {summary['pass_rate']}; median "
        f"{summary['turn_ms_median']} ms, p95 {summary['turn_ms_p95']} ms per turn"
    ]
    lines += [f"  {k}: {v}" for k, v in summary["per_intent"].items()]
    lines += [
        f"  FAILED {f['conversation']} #{f['turn']} {f['say']!r}: {'; '.join(f['failures'])}"
        for f in summary["failed"]
    ]
    lines.append(f"wrote {args.output / 'report.md'} and {args.output / 'conversation.json'}")
    emit(args, summary, "\n".join(lines))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ..agent.llm import chat_model
    from ..evals.conversation import is_conversation_suite
    from ..evals.harness import run_suite
    from ..evals.report import write_report
    from ..evals.suite import load_suite
    from ..kb import KBSettings, KnowledgeBase
    from ..tools.shared_data import shared_dir

    model = chat_model(args.settings)
    if is_conversation_suite(args.suite):
        return _run_conversations(args, model)
    suite = load_suite(args.suite)
    modes = [m.strip() for m in args.modes.split(",")] if args.modes else None
    kb = KnowledgeBase(KBSettings.from_settings(args.settings))
    summaries = run_suite(
        suite, args.output, kb, shared_dir(args.shared),
        [v.strip() for v in args.variants.split(",") if v.strip()], modes,
        model=model, judge=None if args.no_judge else model, progress=not args.json,
    )  # fmt: skip
    written = [] if args.no_report else write_report(args.output)
    lines = [f"{s.variant}/{s.mode}: F1 {s.f1}, keyframe error {s.keyframe_error}, "
             f"hit@5 {s.hit_at_5}, drills dosed and cited {s.drills_dosed_cited}, "
             f"trajectories {s.trajectory_pass}" for s in summaries]  # fmt: skip
    lines += [f"wrote {p}" for p in written]
    emit(args, [s.model_dump() for s in summaries], "\n".join(lines))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..evals.report import write_report

    written = write_report(args.results)
    emit(args, [str(p) for p in written], "\n".join(f"wrote {p}" for p in written))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ..evals.report import compare_results

    changes = compare_results(args.old, args.new, args.tolerance)
    worse = [c for c in changes if c.worse]
    lines = [f"{'WORSE' if c.worse else 'ok   '} {c.variant}/{c.mode} {c.measure}: "
             f"{c.old} -> {c.new}" for c in changes]  # fmt: skip
    lines.append(f"{len(worse)} regression(s) in {len(changes)} compared measures")
    emit(args, [c.model_dump() for c in changes], "\n".join(lines))
    return 1 if worse else 0


def cmd_suites(args: argparse.Namespace) -> int:
    from ..evals.conversation import is_conversation_suite, load_conversations
    from ..evals.suite import load_suite, suite_names

    lines, payload = [], {}
    for name in suite_names():
        if is_conversation_suite(name):
            conv = load_conversations(name)
            turns = sum(len(c.turns) for c in conv.conversations)
            lines.append(f"{name}: {len(conv.conversations)} conversations, {turns} follow-up "
                         f"turns. {conv.description}")  # fmt: skip
            payload[name] = [c.id for c in conv.conversations]
            continue
        suite = load_suite(name)
        lines.append(f"{name}: {len(suite.cases)} cases. {suite.description}")
        payload[name] = [c.id for c in suite.cases]
    emit(args, payload, "\n".join(lines))
    return 0
