"""End to end through the real broker, Redis and the faust worker process."""

from __future__ import annotations

import base64
import json
import time

import jsonschema
from kafka import KafkaConsumer

from tests.support.outputs import outcome_for
from topics import (
    DEAD_LETTER_SCHEMA,
    DUPLICATE_SCHEMA,
    ENRICHED_SCHEMA,
    STORY_SCHEMA,
    load_schema,
)
from topics.specs import RAW
from workers.adapters.kafka_clients import admin_client, client_options, consume
from workers.config import Settings
from workers.core.lines import split_lines
from workers.devtools.processes import WorkerProcess


def raw_offsets(settings: Settings) -> dict[str, tuple[int, int]]:
    """Partition and offset of each key on the raw topic (read back from the broker)."""
    found = {}
    raw = [RAW.name(settings.topic_prefix)]
    for record in consume(settings, raw, from_beginning=True, timeout=60, until_caught_up=True):
        found[(record.key or b"").decode()] = (record.partition, record.offset)
    return found


def wait_committed(settings: Settings, seconds: float = 120.0) -> None:
    """Wait until the worker's group has committed every raw partition up to its end."""
    admin = admin_client(settings)
    consumer = KafkaConsumer(**client_options(settings, "test-lag"))
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            committed = admin.list_group_offsets(settings.consumer_group)[settings.consumer_group]
            ends = consumer.end_offsets(
                [tp for tp in committed if tp.topic == RAW.name(settings.topic_prefix)]
            )
            if ends and all(committed[tp].offset >= end for tp, end in ends.items()):
                return
            time.sleep(0.5)
    finally:
        consumer.close()
        admin.close()
    raise AssertionError(f"{settings.consumer_group} did not commit its offsets in {seconds}s")


def test_seed_article_once_then_its_copy_is_a_duplicate(
    running_worker: tuple[Settings, WorkerProcess], scraped_text: str
) -> None:
    settings, worker = running_worker
    got = outcome_for(settings, worker, [(b"seed-1", scraped_text.encode())], {"seed-1"})
    role, event = got["seed-1"]
    assert role == "enriched"
    jsonschema.validate(event, load_schema(ENRICHED_SCHEMA))
    headline = split_lines(scraped_text)[1]
    assert event["body"].count(headline) == 1
    assert event["title"] == headline
    assert "Skip to content" not in event["body"]
    by_name = {e["canonical"]: e for e in event["entities"]}
    for name in ("Jens Albrechtsen", "Thomas Danielsen", "Rønne", "Denmark"):
        assert name in by_name, name
    assert by_name["Jens Albrechtsen"]["label"] == "PERSON"

    got = outcome_for(settings, worker, [(b"seed-2", scraped_text.encode())], {"seed-2"})
    role, notice = got["seed-2"]
    assert role == "duplicates"
    jsonschema.validate(notice, load_schema(DUPLICATE_SCHEMA))
    assert notice["duplicate_of"] == "seed-1"
    assert notice["story_id"] == event["story_id"]
    assert notice["method"] == "exact"

    # replay of the first article: same decision, same event id
    got = outcome_for(settings, worker, [(b"seed-1", scraped_text.encode())], {"seed-1"})
    role, replayed = got["seed-1"]
    assert role == "enriched" and replayed["event_id"] == event["event_id"]


def test_bad_messages_go_to_the_dead_letter_topic(
    running_worker: tuple[Settings, WorkerProcess],
) -> None:
    settings, worker = running_worker
    bad = {
        "bad-utf8": b"\xff\xfe\xfa not text",
        "bad-json": b'{"text": 12}',
        "bad-empty": b"   ",
        "bad-html": b"<!doctype html><html><body>x</body></html>",
        "bad-size": b"x" * (settings.max_message_bytes + 10),
    }
    # the raw topic accepts a little more than the worker's limit: the worker must dead-letter it
    messages: list[tuple[bytes | None, bytes]] = [
        (key.encode(), value) for key, value in bad.items()
    ]
    good_text = (
        "A short but real article about the harbour in Genoa.\n"
        "The port authority said cargo traffic rose by a tenth this year."
    )
    messages.append((b"good-after-bad", good_text.encode()))
    spanish = (
        "El gobierno de España anunció el lunes que la nueva ley de vivienda entrará en "
        "vigor antes del verano, según fuentes del ministerio de Madrid."
    )
    messages.append((b"spanish", spanish.encode()))
    many_lines = "Harbour log\n" + "\n".join(f"d{n}" for n in range(100_000))
    messages.append((b"many-lines", many_lines.encode()))
    got = outcome_for(settings, worker, messages, {*bad, "good-after-bad", "spanish", "many-lines"})
    offsets = raw_offsets(settings)
    reasons = {}
    for key in bad:
        role, record = got[key]
        assert role == "dlq", (key, role)
        jsonschema.validate(record, load_schema(DEAD_LETTER_SCHEMA))
        assert base64.b64decode(record["original_b64"]) == bad[key]
        assert record["topic"] == RAW.name(settings.topic_prefix)
        assert (record["partition"], record["offset"]) == offsets[key]
        reasons[key] = record["reason"]
    assert reasons == {
        "bad-utf8": "invalid_utf8",
        "bad-json": "invalid_field",
        "bad-empty": "empty",
        "bad-html": "not_text",
        "bad-size": "too_large",
    }
    assert got["good-after-bad"][0] == "enriched"
    role, event = got["spanish"]
    assert role == "enriched" and event["language"] == "es"
    # no English NER for Spanish: only the places it names, found by name, on the map
    places = {(e["canonical"], e["label"], e["text"], e["geo"]["kind"]) for e in event["entities"]}
    assert places == {("Spain", "GPE", "España", "country"), ("Madrid", "GPE", "Madrid", "city")}
    assert event["countries"] == ["ES"]
    role, event = got["many-lines"]
    assert role == "enriched" and event["body"].count("\n\n") == 100_000
    assert worker.process.poll() is None  # the worker never exits because of a message


def test_tail_filters_and_stats_read_the_real_topics(
    running_worker: tuple[Settings, WorkerProcess], scraped_text: str
) -> None:
    import subprocess
    import sys

    settings, worker = running_worker
    outcome_for(settings, worker, [(b"tail-seed", scraped_text.encode())], {"tail-seed"})
    env = {"PATH": "/usr/bin:/bin", **settings.child_env()}

    def cli(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "workers.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    lines = cli("tail", "--from-beginning", "--json", "--entity", "Jens Albrechtsen").splitlines()
    ids = {json.loads(line)["article_id"] for line in lines}
    assert "seed-1" in ids or "tail-seed" in ids  # the story's original, whichever test ran first
    assert cli("tail", "--from-beginning", "--json", "--entity", "Nobody Atall") == ""
    assert cli("tail", "--from-beginning", "--label", "PERSON", "--max-messages", "1").startswith(
        "[enriched]"
    )
    # the stories topic holds the story's state, keyed by story id; the view shows it
    event = next(
        json.loads(line)
        for line in cli("tail", "--from-beginning", "--json").splitlines()
        if json.loads(line)["article_id"] == "tail-seed"
        or json.loads(line)["article_id"] == "seed-1"
    )
    states = [json.loads(line) for line in cli("stories", "--json", "--top", "50").splitlines()]
    mine = [s for s in states if s["story_id"] == event["story_id"]]
    assert len(mine) == 1, states
    jsonschema.validate(mine[0], load_schema(STORY_SCHEMA))
    assert mine[0]["articles"] >= 1 and mine[0]["relations"].get("first") == 1
    assert cli("tail", "--topic", "stories", "--from-beginning").startswith("[story]")
    # the worker commits its offsets every few seconds: once it has, stats reports lag 0
    wait_committed(settings)
    stats = cli("stats", "--interval", "1", "--count", "1").splitlines()
    assert f"lag of {settings.consumer_group}: 0 [" in stats[-1], stats


def test_example_subscriber_counts_entities(
    running_worker: tuple[Settings, WorkerProcess], scraped_text: str
) -> None:
    import subprocess
    import sys
    from pathlib import Path

    settings, worker = running_worker
    outcome_for(settings, worker, [(b"sub-seed", scraped_text.encode())], {"sub-seed"})
    script = Path(__file__).resolve().parent.parent.parent / "examples" / "subscriber.py"
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "--bootstrap",
            settings.kafka_bootstrap_servers,
            "--topic",
            f"{settings.topic_prefix}articles.enriched",
            "--group",
            f"sub-{settings.key_prefix}",
            "--seconds",
            "8",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert int(lines[0].split()[0]) >= 1
    assert any("Jens Albrechtsen (PERSON) x" in line for line in lines[1:])


def test_samples_show_copies_an_update_and_coverage(
    running_worker: tuple[Settings, WorkerProcess],
) -> None:
    """What ``make run`` shows: the project's samples, published in order to one partition."""
    from workers.cli.publish import publish_paths
    from workers.cli.run import default_samples
    from workers.cli.watch import OutputWatcher

    settings, worker = running_worker
    watcher = OutputWatcher(settings)
    try:
        ids = publish_paths(settings, [str(default_samples())], source=None, partition=0)
        outcome = watcher.wait_for(set(ids), timeout=180, alive=worker.alive)
    finally:
        watcher.close()
    assert not outcome.missing, worker.log()[-4000:]
    got = {
        key: (role, json.loads(value or b""))
        for key, (role, value) in zip(outcome.keys, outcome.records, strict=True)
    }
    enriched = {k: v for k, (role, v) in got.items() if role == "enriched"}
    copies = {k: v for k, (role, v) in got.items() if role == "duplicates"}
    for event in enriched.values():
        jsonschema.validate(event, load_schema(ENRICHED_SCHEMA))
    relation = {k: v.get("relation") for k, v in enriched.items()}
    assert sorted(relation.values()) == ["coverage", "first", "first", "first", "update"], relation
    (update,) = (v for v in enriched.values() if v.get("relation") == "update")
    (coverage,) = (v for v in enriched.values() if v.get("relation") == "coverage")
    story = {v["article_id"]: v["story_id"] for v in enriched.values()}
    # the update follows the article published before it, and joins its story
    assert ids.index(update["article_id"]) > ids.index(update["related_to"])
    assert update["story_id"] == story[update["related_to"]] and update["new_sentences"] >= 2
    # the coverage (another outlet's own words) shares the story of a first article
    assert coverage["story_id"] in {s for k, s in story.items() if relation[k] == "first"}
    assert (
        coverage["source"]
        != enriched[
            next(
                k for k, s in story.items() if s == coverage["story_id"] and relation[k] == "first"
            )
        ]["source"]
    )
    # two copies: each names an enriched article of its story
    assert len(copies) == 2
    for notice in copies.values():
        assert story[notice["duplicate_of"]] == notice["story_id"]
