"""The stories view and story records: latest state per story, top stories, rendering, schema."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import jsonschema

from topics import STORY_SCHEMA, StoryRecord, load_schema
from workers.cli.render import record_matches, render
from workers.cli.stories import current_stories, top_stories
from workers.core.entities import Entity, Mention
from workers.core.stories import StoryUpdate, state_entities, story_record
from workers.devtools.fakes import MemoryLinker


def state(story: str, version: int, articles: int, last_seen: str) -> bytes:
    return json.dumps(
        {"story_id": story, "version": version, "articles": articles, "last_seen": last_seen}
    ).encode()


def test_the_latest_version_of_each_story_wins_whatever_the_order() -> None:
    values = [
        state("s1", 2, 2, "2026-11-25T10:00:00.000+00:00"),
        state("s1", 3, 3, "2026-11-25T11:00:00.000+00:00"),
        state("s1", 1, 1, "2026-11-25T09:00:00.000+00:00"),  # a slower replica's older state
        b"not json",
        json.dumps(["a list"]).encode(),
        None,
        state("s2", 1, 1, "2026-11-25T12:00:00.000+00:00"),
    ]
    latest = current_stories(values)
    assert set(latest) == {"s1", "s2"}
    assert latest["s1"]["version"] == 3


def test_top_stories_by_articles_then_latest_and_only_recent_ones() -> None:
    stories = [
        {"story_id": "old-big", "articles": 9, "last_seen": "2026-11-20T10:00:00+00:00"},
        {"story_id": "small", "articles": 2, "last_seen": "2026-11-25T10:00:00+00:00"},
        {"story_id": "new-tie", "articles": 2, "last_seen": "2026-11-25T11:00:00+00:00"},
    ]
    assert [s["story_id"] for s in top_stories(stories, 2)] == ["old-big", "new-tie"]
    since = datetime(2026, 11, 24, tzinfo=UTC)
    assert [s["story_id"] for s in top_stories(stories, 5, since)] == ["new-tie", "small"]


def entity(name: str, label: str, salience: float) -> Entity:
    return Entity(name, label, name, 1, (Mention(name, label, 0, len(name)),), 0, salience)


def record_after(*updates: StoryUpdate) -> StoryRecord:
    import asyncio

    return asyncio.run(MemoryLinker().record(list(updates)))[-1]


def test_story_records_count_relations_outlets_and_entities_and_validate() -> None:
    entities = state_entities([entity("Qeshm", "GPE", 1.0), entity("Iran", "GPE", 0.5)])
    first = StoryUpdate("a", "a", "first", "wire", "Quake hits Qeshm", 100.0, entities)
    coverage = StoryUpdate("b", "a", "coverage", "paper", "Seven hurt", 200.0, entities[:1])
    copy = StoryUpdate("c", "a", "copy", "wire", "Quake hits Qeshm", 150.0)
    record = record_after(first, coverage, copy, coverage)  # the replay counts nothing
    assert record.articles == record.version == 3
    assert record.relations == {"copy": 1, "coverage": 1, "first": 1}
    assert [(o.source, o.articles) for o in record.outlets] == [("wire", 2), ("paper", 1)]
    assert [(e.canonical, e.articles) for e in record.entities] == [("Qeshm", 2), ("Iran", 1)]
    assert record.title == "Quake hits Qeshm" and record.first_article == "a"
    assert record.first_seen.startswith("1970-01-01T00:01:40")
    assert record.last_seen.startswith("1970-01-01T00:03:20")
    jsonschema.validate(
        json.loads(record.to_json()),
        load_schema(STORY_SCHEMA),
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )


def test_story_record_fields_match_the_schema() -> None:
    fields = {f.name for f in dataclasses.fields(StoryRecord)}
    assert set(load_schema(STORY_SCHEMA)["properties"]) == fields
    assert set(load_schema(STORY_SCHEMA)["required"]) == fields


def test_story_records_are_capped() -> None:
    flat = {"n": "80", "title": "t" * 2000, "fs": "1", "ls": "2"}
    flat.update({f"o:outlet{i}": "1" for i in range(80)})
    flat.update({f"e:ORG\tname{i}": "1" for i in range(40)})
    record = story_record("a", flat)
    assert len(record.outlets) == 50 and len(record.entities) == 10 and len(record.title) == 500


def test_story_rendering_and_filters() -> None:
    record = record_after(
        StoryUpdate("a", "a", "first", "wire", "Quake hits Qeshm", 100.0, ("GPE\tQeshm",))
    )
    text = render("stories", record.to_json())
    assert "Quake hits Qeshm" in text and "wire x1" in text and "Qeshm (GPE x1)" in text
    data = json.loads(record.to_json())
    assert record_matches(data, source="WIRE") and not record_matches(data, source="paper")
    assert record_matches(data, entity="qeshm", label="GPE")
