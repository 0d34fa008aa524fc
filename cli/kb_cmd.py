"""``sportsgpt kb ingest|search|stats|reset|get``: the training knowledge base (SportsRAG)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import add_common, emit


def add_kb_parsers(sub: Any) -> None:
    kb = sub.add_parser(
        "kb",
        help="the training knowledge base: ingest, search, stats, reset, get",
        description="PostgreSQL + pgvector knowledge base (the embedded server unless "
        "DATABASE_URL is set). See docs/kb.md.",
    )
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="KB_COMMAND")

    p = kb_sub.add_parser("ingest", help="load or update the bundled corpus and the exercises")
    p.add_argument("--no-exercises", action="store_true", help="only our coaching corpus")
    p.add_argument("--shared", type=Path, default=None, help="the shared data folder")
    add_common(p)
    p.set_defaults(handler=cmd_ingest)

    p = kb_sub.add_parser("search", help="hybrid search, best first")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "vector", "fulltext"], default="hybrid")
    p.add_argument("--motion", default=None, help="e.g. max_velocity")
    p.add_argument("--problem", default=None, help="a KISMAM problem id, e.g. overstriding")
    p.add_argument("--kind", action="append", choices=["problem", "drill", "qa", "exercise"])
    p.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="EQUIPMENT",
        help="leave out what needs this kit (repeatable), e.g. --without sled",
    )
    add_common(p)
    p.set_defaults(handler=cmd_search)

    p = kb_sub.add_parser("stats", help="documents, chunks, embedder, schema version")
    add_common(p)
    p.set_defaults(handler=cmd_stats)

    p = kb_sub.add_parser("reset", help="drop the knowledge base's tables")
    p.add_argument("--yes", action="store_true", help="really drop them")
    add_common(p)
    p.set_defaults(handler=cmd_reset)

    p = kb_sub.add_parser("get", help="one document by id")
    p.add_argument("id")
    add_common(p)
    p.set_defaults(handler=cmd_get)


def _kb(args: argparse.Namespace) -> Any:
    from ..kb import KBSettings, KnowledgeBase

    return KnowledgeBase(KBSettings.from_settings(args.settings))


def cmd_ingest(args: argparse.Namespace) -> int:
    reports = _kb(args).ingest(exercises=not args.no_exercises, shared=args.shared)
    lines = [
        f"{r.collection}: {r.added} added, {r.updated} updated, {r.unchanged} unchanged, "
        f"{r.deleted} deleted ({r.chunks} chunks embedded)"
        for r in reports
    ]
    emit(args, [r.model_dump() for r in reports], "\n".join(lines))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from ..kb import SearchFilters

    filters = SearchFilters(
        motion=args.motion, problem=args.problem, kinds=args.kind, without_equipment=args.without
    )
    results = _kb(args).search(args.query, filters, limit=args.limit, mode=args.mode)
    payload = [
        {"id": r.id, "title": r.title, "text": r.text, "score": r.score,
         "source": [s.model_dump() for s in r.source],
         **({"dose": r.dose.model_dump()} if r.dose else {})}
        for r in results
    ]  # fmt: skip
    if not results:
        text = "no evidence found in the knowledge base for this query"
    else:
        lines = []
        for i, r in enumerate(results, 1):
            lines.append(f"{i}. {r.title} [{r.id}] (score {r.score:.4f})")
            if r.dose:
                lines.append(f"   dose: {r.dose.summary()}")
            lines.append(f"   source: {'; '.join(s.citation for s in r.source)}")
        text = "\n".join(lines)
    emit(args, payload, text)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    s = _kb(args).stats()
    text = (
        f"documents: {s.documents or 'none'}; kinds: {s.kinds or 'none'}; chunks: {s.chunks}\n"
        f"embedder: {s.embedder or 'none yet'}; schema migrations: {s.migrations}"
    )
    emit(args, s.model_dump(), text)
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    if not args.yes:
        emit(args, {"reset": False}, "nothing dropped: add --yes to drop the knowledge base")
        return 2
    _kb(args).reset()
    emit(args, {"reset": True}, "knowledge base dropped; `sportsgpt kb ingest` rebuilds it")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    doc = _kb(args).get(args.id)
    if doc is None:
        from ..tools.errors import KnowledgeBaseError

        raise KnowledgeBaseError(f"no document {args.id!r} (try `sportsgpt kb search`)")
    text = f"{doc['title']} [{doc['id']}]\n{doc['body']}"
    if doc.get("dose"):
        from ..kb import Dose

        text += f"\ndose: {Dose.model_validate(doc['dose']).summary()}"
    emit(args, doc, text)
    return 0
