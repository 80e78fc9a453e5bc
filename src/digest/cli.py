"""Command-line shell: parse options, call one library function, print the outcome.

Exit codes: 0 success; 1 a fatal error (config, store) or nothing could be read;
2 a usage error; 3 problems in the input under --strict.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, cli_editing, cli_mailing, pipeline
from .classify import EDITOR
from .config import Config, load_config
from .errors import DigestError
from .progress import ProgressBar
from .weeks import IsoWeek

EXIT_FATAL, EXIT_USAGE, EXIT_PROBLEMS = 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run the digest command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        cfg = load_config(Path(args.config))
        return int(args.handler(cfg, args))
    except DigestError as exc:
        if args.debug:
            raise
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except KeyboardInterrupt:
        print("digest: interrupted; the store is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`digest articles | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _common() -> argparse.ArgumentParser:
    # A fresh parser each time: argparse shares parent actions, and a default set on one
    # parser would leak into the others and overwrite a --config given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", default=argparse.SUPPRESS, help="configuration file (default: config.toml)"
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Weekly newsletter and Atom digest generator for municipal-IT news.",
        parents=[_common()],
    )
    parser.set_defaults(config="config.toml", debug=False)
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[_common()], help="read article files into the store")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument("--strict", action="store_true", help="any problem: store nothing and exit 3")
    p.add_argument("--verbose", action="store_true", help="also list the store's weeks")
    p.set_defaults(handler=_ingest)

    p = sub.add_parser(
        "build", parents=[_common()], help="ingest the configured sources and render public/"
    )
    p.add_argument("--week", type=_week, help="render only this ISO week's email and page")
    p.add_argument("--out", type=Path, help="output folder (default: [render] out in config)")
    p.add_argument("--verbose", action="store_true", help="also list the store's weeks")
    p.add_argument(
        "--strict",
        action="store_true",
        help="any problem: store and write nothing and exit 3",
    )
    p.set_defaults(handler=_build)

    cli_editing.add_commands(sub, _common)

    cli_mailing.add_commands(sub, _common)

    p = sub.add_parser(
        "serve",
        parents=[_common()],
        help="serve the archive, feeds and subscription pages over HTTP",
    )
    p.add_argument("--host", help="address to bind (default: [web] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="TCP port (default: [web] port, 8000)")
    p.set_defaults(handler=_serve)

    p = sub.add_parser(
        "sources",
        parents=[_common()],
        help="list the configured sources: type, last read, HTTP status, articles, last error",
    )
    p.set_defaults(handler=_sources)

    p = sub.add_parser("explain", parents=[_common()], help="show why an article got its topic")
    p.add_argument("id", help="article id (or a unique prefix of it)")
    p.set_defaults(handler=_explain)
    return parser


def _serve(cfg: Config, args: argparse.Namespace) -> int:
    from .web.server import serve  # Flask loads only for this command

    serve(cfg, args.host, args.port)
    return 0


def _week(text: str) -> str:
    try:
        return str(IsoWeek.parse(text))
    except DigestError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _ingest(cfg: Config, args: argparse.Namespace) -> int:
    return _run_ingest(cfg, args.paths, args.strict, args.verbose)


def _build(cfg: Config, args: argparse.Namespace) -> int:
    bar = ProgressBar(sys.stderr)
    week = IsoWeek.parse(args.week) if args.week else None
    built = pipeline.build(cfg, week, args.out, progress=bar.update, strict=args.strict)
    bar.finish()
    code = _report_ingest(built.ingest, args.strict, args.verbose, building=True)
    for problem in built.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if built.stopped:
        count = len(built.ingest.problems) + len(built.problems)
        print(
            f"digest: --strict and {count} problem{'s' if count != 1 else ''}: "
            f"nothing was {'stored or ' if built.ingest.stopped else ''}written to {built.out}",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    if args.strict and built.problems:
        code = EXIT_PROBLEMS
    if built.missing_week:
        print(
            f"digest: {built.missing_week} has no articles: no email or page for it",
            file=sys.stderr,
        )
    shrunk = {w: b for w, b in built.budgets.items() if b != "full"}
    if built.up_to_date:
        print(
            f"Up to date: nothing changed since the last build ({len(built.weeks)} weeks, "
            f"{built.articles} articles, {built.skipped} files in {built.out} and "
            f"{built.preview} as written)."
        )
        return code
    print(
        f"Rendered {len(built.weeks)} week{'s' if len(built.weeks) != 1 else ''} "
        f"({built.articles} article{'s' if built.articles != 1 else ''}) into {built.out}, "
        f"email previews into {built.preview}: "
        f"{len(built.written)} files written, {len(built.unchanged)} unchanged, "
        f"{built.skipped} not rendered (their data did not change)"
        + (f", {len(built.removed)} no longer produced removed" if built.removed else "")
        + (f", {len(built.swept)} leftover temporary files swept" if built.swept else "")
        + "."
    )
    for week_name, budget in sorted(shrunk.items()):
        print(f"  {week_name}: email shortened to fit the size limit ({budget})")
    return code


def _run_ingest(cfg: Config, paths: list[Path] | None, strict: bool, verbose: bool) -> int:
    bar = ProgressBar(sys.stderr)
    summary = pipeline.ingest(cfg, paths, progress=bar.update, strict=strict)
    bar.finish()
    code = _report_ingest(summary, strict, verbose)
    if summary.stopped:
        print("digest: --strict and problems: nothing was stored", file=sys.stderr)
    return code


def _report_ingest(
    summary: pipeline.IngestSummary, strict: bool, verbose: bool, *, building: bool = False
) -> int:
    """Print the problems, then one summary line (and the store's weeks with --verbose).

    A build that read no source goes on with what the store holds, and says so.
    """
    for problem in summary.problems:
        print(f"problem: {problem}", file=sys.stderr)
    files = summary.files_read + summary.files_failed + summary.files_unchanged
    for notice in summary.notices:
        print(f"notice: {notice}", file=sys.stderr)
    for old, new in summary.retracted:
        print(f"retracted {old}: replaced by its corrected version {new}")
    for gone in summary.gone:
        print(f"gone {gone}: no source file holds it any more (`digest restore {gone}` keeps it)")
    for back in summary.back:
        print(f"back {back}: a source file holds it again")
    fetched = summary.feeds_fetched + summary.feeds_unchanged
    if building and summary.files_read == 0 and fetched == 0:
        articles = f"{summary.total} article{'s' if summary.total != 1 else ''}"
        if summary.files_unchanged and not summary.files_failed:
            print(
                f"No source file changed since the last run ({files} files); "
                f"the store holds {articles}."
            )
        else:
            print(
                f"Read no source files ({files} found): rendering from the {articles} "
                "already in the store."
            )
        return EXIT_PROBLEMS if strict and summary.problems else 0
    feeds = summary.feeds_fetched + summary.feeds_unchanged + summary.feeds_failed
    from_feeds = ""
    if feeds:
        counts = ((summary.feeds_unchanged, "unchanged"), (summary.feeds_failed, "failed"))
        states = [f"{n} {what}" for n, what in counts if n]
        from_feeds = f" and {fetched} of {feeds} feed{'s' if feeds != 1 else ''}" + (
            f" ({', '.join(states)})" if states else ""
        )
    skipped = f" ({summary.files_unchanged} unchanged)" if summary.files_unchanged else ""
    print(
        f"Read {summary.files_read} of {files} files{skipped}{from_feeds}: "
        f"{summary.seen} articles "
        f"({summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.duplicate} duplicate); "
        f"{len(summary.problems)} problem{'s' if len(summary.problems) != 1 else ''}."
    )
    if summary.weeks:
        print(
            f"Store: {summary.total} articles in {len(summary.weeks)} weeks "
            f"({summary.weeks[0][0]} … {summary.weeks[-1][0]})"
            + (f", {summary.undated} without a date." if summary.undated else ".")
        )
        for week, count in summary.weeks if verbose else ():
            print(f"  {week}  {count:4d} article{'s' if count != 1 else ''}")
    if summary.files_read + summary.files_unchanged == 0 and fetched == 0:
        print("digest: nothing could be read", file=sys.stderr)
        return EXIT_FATAL
    if strict and summary.problems:
        return EXIT_PROBLEMS
    return 0


def _sources(cfg: Config, args: argparse.Namespace) -> int:
    rows = pipeline.sources(cfg)
    if not rows:
        print(f"No [[sources]] in {cfg.path}.")
        return 0
    width = max(len(r.name) for r in rows)
    head = f"{'NAME':<{width}}  {'TYPE':<8}  {'ARTICLES':>8}  {'LAST READ':<16}  {'STATUS':<7}"
    print(f"{head}  WHERE")
    for r in rows:
        state = r.state
        when = f"{state.checked_at.astimezone(cfg.site.tz):%Y-%m-%d %H:%M}" if state else ""
        print(
            f"{r.name:<{width}}  {r.type:<8}  {r.articles:>8}  {when or 'never':<16}  "
            f"{r.status:<7}  {r.location}"
        )
        if state and state.error:
            since = (
                f" (last worked {state.ok_at.astimezone(cfg.site.tz):%Y-%m-%d %H:%M})"
                if state.ok_at
                else ""
            )
            print(f"{'':<{width}}  last error: {state.error}{since}")
    return 0


def _explain(cfg: Config, args: argparse.Namespace) -> int:
    article, ids = pipeline.find_article(cfg, args.id)
    if article is None:
        if ids:
            print(
                f"digest: error: {args.id!r} matches {len(ids)} articles; type more of the id:",
                file=sys.stderr,
            )
            for found in ids[:10]:
                print(f"  {found}", file=sys.stderr)
        else:
            print(
                f"digest: error: no article with id {args.id!r}; see `digest articles` for ids",
                file=sys.stderr,
            )
        return EXIT_FATAL
    rules, c = cfg.rules, article.classification
    head = f"{article.kicker}: {article.title}" if article.kicker else article.title
    print(f"{article.id}  {head}")
    print(f"Topic: {c.topic} ({rules.label(c.topic)})")
    scores = dict(c.scores)
    against = scores.pop("other", 0.0)
    best = max(scores.items(), key=lambda kv: kv[1]) if scores else ("-", 0.0)
    if c.override == EDITOR:
        print(f"  because the editor chose it (the note's front matter says topic: {c.topic})")
    elif c.override:
        print(f'  because of the manual override [overrides] "{c.override}" in {cfg.path}')
    elif c.topic == "other" and best[1] >= rules.threshold:
        print(
            f"  because the evidence for 'other' ([classify.other]: a study, a product, ...), "
            f"{against:g}, is at least the best topic score, {best[1]:g} ({best[0]})"
        )
    elif c.topic == "other":
        print(
            f"  because the best score, {best[1]:g} ({best[0]}), "
            f"is below the threshold {rules.threshold:g}"
        )
    else:
        print(
            f"  because its score {scores[c.topic]:g} is the highest, reaches "
            f"the threshold {rules.threshold:g} and beats the evidence for 'other' ({against:g})"
        )
    print("Scores: " + ", ".join(f"{k} {v:g}" for k, v in c.scores))
    if c.matches:
        print("Matched terms (each counts once per field; points = tier x field weight):")
        for m in c.matches:
            note = "  (only as a compound's modifier)" if m.modifier else ""
            print(f"  {m.topic:<13} {m.field:<9} {m.term:<28} x{m.count:<3} +{m.points:g}{note}")
    else:
        print("No rule term matched.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
