"""``newsworker``: the command line. Argument handling only; the work is elsewhere.

Every error the user can cause ends as one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from topics.specs import DLQ, DUPLICATES, ENRICHED, RAW, TOPICS, topic_by_role
from workers.config import Settings, env_var_of, load_settings
from workers.errors import NewsworkerError

EXIT_USAGE = 2
EXIT_FAILURE = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _env(field: str) -> str:
    return f"env: {env_var_of(field)}"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsworker",
        description="News ingestion worker: Kafka in, Redis de-duplication, spaCy entities, "
        "Kafka out.",
    )
    parser.add_argument(
        "--bootstrap-servers", help=f"Kafka bootstrap servers ({_env('kafka_bootstrap_servers')})"
    )
    parser.add_argument("--redis-url", help=f"Redis URL ({_env('redis_url')})")
    parser.add_argument("--topic-prefix", help=f"prefix of topic names ({_env('topic_prefix')})")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    dev = sub.add_parser("dev", help="local Kafka + Redis stack for development")
    dev.add_argument("action", choices=["up", "down", "status"])

    topics = sub.add_parser("topics", help="create or list the topics")
    topics.add_argument("action", choices=["create", "list"])
    topics.add_argument(
        "--partitions", type=int, help=f"raw topic partitions ({_env('topic_partitions')})"
    )

    publish = sub.add_parser("publish", help="publish articles to the raw topic")
    publish.add_argument("paths", nargs="+", help="text, .json or .jsonl files, folders, or -")
    publish.add_argument("--source", help="source name recorded on each article")
    publish.add_argument("--id", dest="article_id", help="article id (one text file or stdin)")
    publish.add_argument("--raw", action="store_true", help="send text as bare body, id as key")

    tail = sub.add_parser("tail", help="read enriched events, duplicate notices or dead letters")
    tail.add_argument("--topic", choices=["enriched", "duplicates", "dlq"], default="enriched")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max-messages", type=_positive_int, default=None)
    tail.add_argument(
        "--timeout",
        type=_positive_float,
        default=None,
        help="stop after this many seconds (default: run until Ctrl-C)",
    )
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="keep waiting for new records (default: stop when caught up)",
    )
    tail.add_argument("--entity", help="only events mentioning this entity (canonical or text)")
    tail.add_argument("--label", help="only events with an entity of this label (e.g. PERSON)")
    tail.add_argument("--source", help="only records from this source")

    worker = sub.add_parser("worker", help="run the stream worker (faust)")
    worker.add_argument("--no-ner", action="store_true", help="skip entity recognition")
    worker.add_argument("--loglevel", choices=["debug", "info", "warn", "error"], default="info")
    worker.add_argument("--group", help=f"consumer group ({_env('consumer_group')})")

    stats = sub.add_parser("stats", help="live throughput, lag and dedupe rates")
    stats.add_argument("--interval", type=_positive_float, default=2.0, help="seconds per line")
    stats.add_argument("--count", type=_positive_int, default=None, help="stop after N lines")
    stats.add_argument("--group", help=f"consumer group ({_env('consumer_group')})")

    run = sub.add_parser("run", help="end to end: stack, topics, publish, worker, show events")
    run.add_argument("paths", nargs="*", help="articles to publish (default: samples/articles)")
    run.add_argument("--source", help="source name for text files")
    run.add_argument(
        "--timeout", type=_positive_float, default=300.0, help="give up after this many seconds"
    )
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return number


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if args.bootstrap_servers:
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = args.bootstrap_servers
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    if args.topic_prefix:
        overrides["topic_prefix"] = args.topic_prefix
    if getattr(args, "partitions", None):
        overrides["topic_partitions"] = args.partitions
    if getattr(args, "group", None):
        overrides["consumer_group"] = args.group
    return load_settings(**overrides)


# ---------------------------------------------------------------- commands
def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from workers.devstack import DevStack

    stack = DevStack.from_env(settings)
    if args.action == "up":
        stack.up()
        return 0
    if args.action == "down":
        stack.down()
        return 0
    return 0 if stack.status() else EXIT_FAILURE


def cmd_topics(args: argparse.Namespace, settings: Settings) -> int:
    from workers.kafka_io import admin_client, create_topics

    if args.action == "create":
        for name, state in create_topics(settings):
            print(f"{name}: {state}")
        return 0
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    for spec in TOPICS:
        name = spec.name(settings.topic_prefix)
        print(f"{name}: {'present' if name in existing else 'missing'} - {spec.doc}")
    return 0


def publish_paths(
    settings: Settings,
    paths: Sequence[str],
    *,
    source: str | None,
    article_id: str | None = None,
    raw: bool = False,
    quiet: bool = False,
) -> list[str]:
    """Publish articles from paths; return their ids in order."""
    from tqdm import tqdm

    from workers.errors import ConfigError
    from workers.kafka_io import producer
    from workers.publish import expand_paths, messages_for

    files = expand_paths(paths)
    if article_id and len(files) != 1:
        raise ConfigError("--id names one article: give exactly one text file or -")
    topic = RAW.name(settings.topic_prefix)
    limit = settings.max_message_bytes
    sender = producer(settings)
    ids: list[str] = []
    skipped = 0
    try:
        progress = tqdm(files, unit="file", disable=quiet or len(files) < 20, file=sys.stderr)
        for path in progress:
            for message in messages_for(path, source=source, article_id=article_id, raw=raw):
                if len(message.value) > limit:
                    print(
                        f"skipped {message.origin}: {len(message.value)} bytes is over the "
                        f"{limit}-byte limit",
                        file=sys.stderr,
                    )
                    skipped += 1
                    continue
                sender.send(topic, key=message.key, value=message.value)
                ids.append(message.article_id)
        sender.flush(timeout=60)
    finally:
        sender.close(timeout=10)
    if not quiet:
        print(
            f"published {len(ids)} article(s) to {topic}"
            + (f", skipped {skipped}" if skipped else "")
        )
    if skipped:
        raise ConfigError(f"{skipped} article(s) were too large and not published")
    return ids


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    ids = publish_paths(
        settings, args.paths, source=args.source, article_id=args.article_id, raw=args.raw
    )
    for article_id in ids[:20]:
        print(f"  {article_id}")
    if len(ids) > 20:
        print(f"  ... and {len(ids) - 20} more")
    return 0


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    from workers.kafka_io import consume
    from workers.render import render

    spec = topic_by_role(args.topic)
    seen = 0
    filters = {"entity": args.entity, "label": args.label, "source": args.source}
    try:
        for record in consume(
            settings,
            [spec.name(settings.topic_prefix)],
            from_beginning=args.from_beginning,
            timeout=args.timeout,
            until_caught_up=not args.follow,
        ):
            if any(filters.values()) and not _matches(record.value, filters):
                continue
            if args.json:
                print((record.value or b"").decode("utf-8", errors="replace"), flush=True)
            else:
                print(render(spec.role, record.value) + "\n", flush=True)
            seen += 1
            if args.max_messages and seen >= args.max_messages:
                break
    except KeyboardInterrupt:
        pass
    return 0


def _matches(value: bytes | None, filters: dict[str, str | None]) -> bool:
    from workers.render import record_matches

    try:
        data = json.loads(value or b"")
    except ValueError:
        return False
    return isinstance(data, dict) and record_matches(data, **filters)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from faust import Worker

    from workers.app import create_app
    from workers.logs import logging_config

    app = create_app(settings, ner_enabled=not args.no_ner)
    worker = Worker(
        app,
        loglevel=args.loglevel,
        quiet=True,
        logging_config=logging_config(settings.log_format, args.loglevel),
    )
    worker.execute_from_commandline()
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from workers.devstack import DevStack
    from workers.kafka_io import create_topics
    from workers.watch import OutputWatcher

    stack = DevStack.from_env(settings)
    stack.up()
    for name, state in create_topics(settings):
        print(f"topic {name}: {state}")
    paths = args.paths or [str(default_samples())]
    watcher = OutputWatcher(settings)
    ids = publish_paths(settings, paths, source=args.source)
    log_path = settings.stack_dir / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"starting the worker (log: {log_path}) ...")
    with open(log_path, "ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "workers.cli", "worker", "--loglevel", "info"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **settings.child_env()},
        )
    try:
        outcome = watcher.wait_for(
            set(ids), timeout=args.timeout, alive=lambda: worker.poll() is None
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        watcher.close()
    print()
    for role, value in outcome.records:
        from workers.render import render

        print(render(role, value) + "\n")
    counts = outcome.counts()
    print(
        f"{len(ids)} article(s) published: {counts.get('enriched', 0)} enriched, "
        f"{counts.get('duplicates', 0)} duplicate(s), {counts.get('dlq', 0)} dead-lettered"
    )
    if outcome.missing:
        print(
            f"no output after {args.timeout:.0f}s for: {', '.join(sorted(outcome.missing))} "
            f"(see {log_path})",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from workers.stats import OffsetReader, format_rates, rates

    reader = OffsetReader(settings)
    print(f"every {args.interval:g}s; Ctrl-C to stop")
    try:
        before = reader.snapshot()
        lines = 0
        while args.count is None or lines < args.count:
            time.sleep(args.interval)
            after = reader.snapshot()
            print(format_rates(rates(before, after), settings.consumer_group), flush=True)
            before = after
            lines += 1
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()
    return 0


def default_samples() -> Path:
    here = Path(__file__).resolve().parent.parent / "samples" / "articles"
    return here if here.is_dir() else Path("samples/articles")


COMMANDS = {
    "dev": cmd_dev,
    "topics": cmd_topics,
    "publish": cmd_publish,
    "tail": cmd_tail,
    "worker": cmd_worker,
    "run": cmd_run,
    "stats": cmd_stats,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        return COMMANDS[args.command](args, settings)
    except NewsworkerError as exc:
        print(f"newsworker: error: {exc.message}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


__all__ = ["DLQ", "DUPLICATES", "ENRICHED", "main"]

if __name__ == "__main__":
    sys.exit(main())
