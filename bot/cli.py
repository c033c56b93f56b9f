"""The `briefbot` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, find_config_path, load_config
from bot.logs import RedactingFilter, setup_logging
from bot.startup import StartupError

log = logging.getLogger("bot.cli")
Handler = Callable[[argparse.Namespace, Config], Coroutine[Any, Any, int]]


def package_version() -> str:
    try:
        return version("briefbot")
    except PackageNotFoundError:
        return "unknown"


async def _version(_args: argparse.Namespace, _config: Config) -> int:
    print(f"briefbot {package_version()}")
    return 0


async def _db_upgrade(_args: argparse.Namespace, config: Config) -> int:
    from bot.storage import db

    engine = db.create_engine(config.database.url, connect_timeout=config.database.connect_timeout)
    try:
        await db.check_connection(engine, config.setting("database", "url"))
        applied = await db.upgrade(engine)
        revision = await db.current_revision(engine)
    finally:
        await engine.dispose()
    done = f"applied {', '.join(applied)}" if applied else "already up to date"
    print(f"database {config.database.redacted_url}: {done} (revision {revision})")
    return 0


async def _demo(_args: argparse.Namespace, config: Config) -> int:
    from bot.app import run_demo

    return await run_demo(config, sys.stdout)


def _read_file(path: str) -> bytes:
    return Path(path).read_bytes()


async def _extract(args: argparse.Namespace, _config: Config) -> int:
    from bot.analysis.pipeline import Analyser
    from bot.extract import BadArticle, analysis_json, read_article

    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else _read_file(args.file)
        article = read_article(raw)
    except OSError as error:
        print(f"briefbot extract: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    except BadArticle as error:
        print(f"briefbot extract: {args.file}: {error}", file=sys.stderr)
        return 2
    analysis = Analyser.load().analyse(article)
    print(json.dumps(analysis_json(article, analysis), ensure_ascii=False))
    return 0


async def _eval(args: argparse.Namespace, _config: Config) -> int:
    from bot.analysis.pipeline import Analyser
    from bot.evaluate import format_report, load_devset, score

    try:
        devset = load_devset(Path(args.dir))
    except (OSError, ValueError) as error:
        print(f"briefbot eval: {error}", file=sys.stderr)
        return 2
    print(format_report(score(devset, Analyser.load().analyse)))
    return 0


async def _ingest(args: argparse.Namespace, config: Config) -> int:
    from bot.ingest.progress import run_ingest

    return await run_ingest(config, once=args.once, force=args.force)


async def _sources(args: argparse.Namespace, config: Config) -> int:
    from bot.ingest.sourcelist import Streams, run_sources

    streams = Streams(sys.stdout, sys.stderr, sys.stdin.buffer, sys.stdout.buffer)
    return await run_sources(config, args.sources_command, getattr(args, "file", None), streams)


async def _run(_args: argparse.Namespace, config: Config) -> int:
    from bot.service import run_service

    return await run_service(config)


async def _chat(args: argparse.Namespace, config: Config) -> int:
    from bot.app import run_chat

    return await run_chat(config, args.chat, interactive=sys.stdin.isatty())


async def _bench_ingest(args: argparse.Namespace, config: Config) -> int:
    if args.hostile:
        from bot.bench.hostile import bench_hostile

        hostile = await bench_hostile()
        print(hostile.as_json() if args.json else hostile.report())
        return 0 if hostile.passed else 1
    from bot.bench.ingest import bench_ingest

    result = await bench_ingest(config, feeds=args.feeds, items=args.items)
    print(result.report())
    return 0


async def _bench_deliver(args: argparse.Namespace, config: Config) -> int:
    from bot.bench.deliver import bench_deliver

    print(
        await bench_deliver(
            config, chats=args.chats, workers=args.workers, pg=args.pg, rate_limit=args.rate_limit
        )
    )
    return 0


async def _bench_query(args: argparse.Namespace, config: Config) -> int:
    from bot.bench.query import bench_query

    backends = args.backend or ["sqlite", "postgresql"]
    print(await bench_query(config, briefs=args.briefs, chats=args.chats, backends=backends))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _add_sources_parser(commands: Any) -> None:
    sources = commands.add_parser("sources", help="list the feed sources, or move them as OPML")
    source_commands = sources.add_subparsers(
        dest="sources_command", metavar="ACTION", required=True
    )
    source_commands.add_parser(
        "list", help="every source with its id, state and article count"
    ).set_defaults(handler=_sources)
    source_import = source_commands.add_parser(
        "import", help="add the feeds of an OPML file (FILE or - for stdin); nothing is fetched"
    )
    source_import.add_argument(
        "file", metavar="FILE", help="an OPML file exported by a feed reader, or - for stdin"
    )
    source_import.set_defaults(handler=_sources)
    source_commands.add_parser("export", help="print the sources that are on as OPML").set_defaults(
        handler=_sources
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Structured security briefs from news feeds, for Telegram, Slack and the "
        "terminal.",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $BRIEFBOT_CONFIG, else ./config.toml, else built-in defaults)",
    )
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    loudness.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser("version", help="print the version").set_defaults(handler=_version)
    database = commands.add_parser("db", help="database maintenance")
    database_commands = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    database_commands.add_parser("upgrade", help="apply pending schema migrations").set_defaults(
        handler=_db_upgrade
    )
    commands.add_parser(
        "demo", help="ingest the bundled sample feeds and print a digest (no network, no tokens)"
    ).set_defaults(handler=_demo)
    commands.add_parser(
        "run", help="run the bot: Telegram and Slack when configured, scheduled ingest"
    ).set_defaults(handler=_run)
    chat = commands.add_parser(
        "chat", help="talk to briefbot in the terminal (reads commands from stdin)"
    )
    chat.add_argument(
        "--chat",
        default="console",
        metavar="NAME",
        help="which console chat to be (each has its own subscriptions)",
    )
    chat.set_defaults(handler=_chat)
    ingest = commands.add_parser("ingest", help="fetch the due feeds and store new briefs")
    ingest.add_argument("--once", action="store_true", help="one pass, then exit")
    ingest.add_argument(
        "--force",
        action="store_true",
        help="the first pass fetches every source that is on, due or not",
    )
    ingest.set_defaults(handler=_ingest)
    _add_sources_parser(commands)
    extract = commands.add_parser(
        "extract", help="analyse one JSON article (FILE or - for stdin) and print JSON"
    )
    extract.add_argument(
        "file",
        metavar="FILE",
        help='a JSON article: "title" and/or "text", optionally "url", "published", "outlet"; '
        "- reads stdin",
    )
    extract.set_defaults(handler=_extract)
    evaluate = commands.add_parser(
        "eval",
        help="score topics, actors and implications (beside a cue-word baseline) on a labelled"
        " folder of articles",
    )
    evaluate.add_argument(
        "dir",
        metavar="DIR",
        nargs="?",
        default="tests/devset",
        help="a folder of labelled articles, one JSON file each (default: %(default)s)",
    )
    evaluate.set_defaults(handler=_eval)
    bench = commands.add_parser("bench", help="measure throughput on loopback (no network)")
    benches = bench.add_subparsers(dest="bench", metavar="WHAT", required=True)
    bench_ingest = benches.add_parser("ingest", help="ingest a generated feed farm")
    bench_ingest.add_argument(
        "--feeds", type=_positive, default=500, help="feeds in the farm (default: %(default)s)"
    )
    bench_ingest.add_argument(
        "--items", type=_positive, default=20, help="items in each feed (default: %(default)s)"
    )
    bench_ingest.add_argument(
        "--hostile",
        action="store_true",
        help="one pass over hostile feeds beside healthy ones: what survived, peak memory",
    )
    bench_ingest.add_argument("--json", action="store_true", help="with --hostile: JSON output")
    bench_ingest.set_defaults(handler=_bench_ingest)
    deliver = benches.add_parser("deliver", help="drain an outbox of digests to a loopback stub")
    deliver.add_argument(
        "--chats",
        type=_positive,
        default=10_000,
        help="chats with a digest waiting, one delivery each (default: %(default)s)",
    )
    deliver.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="with 2 or more, also measure the speed-up over one worker",
    )
    deliver.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    deliver.add_argument(
        "--rate-limit",
        type=float,
        default=30.0,
        metavar="MSG_PER_S",
        help="the platform cap for the rate-limited run",
    )
    deliver.set_defaults(handler=_bench_deliver)
    query = benches.add_parser("query", help="time /brief, /search and follow-ups on a big store")
    query.add_argument(
        "--briefs",
        type=_positive,
        default=100_000,
        help="briefs in the generated store (default: %(default)s)",
    )
    query.add_argument(
        "--chats",
        type=_positive,
        default=10_000,
        help="chats with subscriptions in it (default: %(default)s)",
    )
    query.add_argument(
        "--backend",
        action="append",
        choices=["sqlite", "postgresql"],
        help="repeat for both (default: both)",
    )
    query.set_defaults(handler=_bench_query)
    _describe_commands(parser)
    return parser


def _describe_commands(parser: argparse.ArgumentParser) -> None:
    """Each subcommand's --help opens with the line the command list shows for it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if sub.description is None:
                    sub.description = helps.get(name)
                _describe_commands(sub)


def config_first(argv: list[str]) -> list[str]:
    """`--config PATH` is accepted after the subcommand too: move every one to the front."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            rest.extend(argv[index:])
            break
        if word == "--config" and index + 1 < len(argv):
            front += argv[index : index + 2]
            index += 2
            continue
        (front if word.startswith("--config=") else rest).append(word)
        index += 1
    return front + rest


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A failure is one line on stderr that names the cause and the fix, exit 2
    when the configuration must change and 1 otherwise; `--verbose` logs the traceback too."""
    # python-telegram-bot 22 warns on every RetryAfter unless told to use timedelta values.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = build_parser().parse_args(config_first(sys.argv[1:] if argv is None else list(argv)))
    if args.verbose:
        setup_logging("DEBUG")
    try:
        config = load_config(find_config_path(args.config, os.environ))
    except ConfigError as error:
        return _failed(error, args, RedactingFilter())
    level = "DEBUG" if args.verbose else "WARNING" if args.quiet else config.logging.level
    redactor = setup_logging(level, config.secrets())
    log.debug("configuration from %s", config.origin)
    handler: Handler = args.handler
    try:
        return asyncio.run(handler(args, config))
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        return _failed(error, args, redactor)


def _failed(error: Exception, args: argparse.Namespace, redactor: RedactingFilter) -> int:
    """Report a failure in one line (secrets redacted); returns the exit code."""
    if args.verbose:
        log.error("briefbot %s failed", _command_words(args), exc_info=error)
    if isinstance(error, ConfigError):
        line, code = f"bad configuration: {error}", 2
    elif isinstance(error, StartupError):
        line, code = str(error), error.exit_code
    else:
        detail = str(error).splitlines()[0] if str(error) else ""
        line = f"{_command_words(args)} failed: {type(error).__name__}"
        line += f": {detail}" if detail else ""
        if not args.verbose:
            line += " (run with --verbose to log the traceback)"
        code = 1
    print(f"briefbot: {redactor.redact(' '.join(line.split()))}", file=sys.stderr)
    return code


def _command_words(args: argparse.Namespace) -> str:
    words = [args.command]
    for sub in ("db_command", "sources_command", "bench"):
        value = getattr(args, sub, None)
        if isinstance(value, str):
            words.append(value)
    return " ".join(words)


if __name__ == "__main__":
    sys.exit(main())
