"""Records built by the worker validate against the JSON Schemas of topics/ and match them."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from topics import (
    DEAD_LETTER_SCHEMA,
    DUPLICATE_SCHEMA,
    ENRICHED_SCHEMA,
    DeadLetter,
    DuplicateNotice,
    EnrichedEvent,
    load_schema,
)
from workers.core.articles import decode_article
from workers.core.dedupe import parse_decision
from workers.core.entities import Mention, canonical_entities
from workers.core.events import build_dead_letter, build_event, build_notice, event_id_for
from workers.core.lines import clean_lines

NOW = 1_780_000_000.0


def validate(record: object, schema_name: str) -> None:
    data = json.loads(record.to_json())  # type: ignore[attr-defined]
    jsonschema.validate(
        data,
        load_schema(schema_name),
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )


@pytest.mark.parametrize(
    ("record_type", "schema_name"),
    [
        (EnrichedEvent, ENRICHED_SCHEMA),
        (DuplicateNotice, DUPLICATE_SCHEMA),
        (DeadLetter, DEAD_LETTER_SCHEMA),
    ],
)
def test_schema_properties_match_record_fields(record_type: type, schema_name: str) -> None:
    fields = {f.name for f in dataclasses.fields(record_type)}
    assert set(load_schema(schema_name)["properties"]) == fields


def test_built_records_validate() -> None:
    article = decode_article(
        b"Headline\n\nBody about Lisbon and Carlos Moedas.", b"id-1", max_bytes=10_000
    )
    cleaned = clean_lines(article.text)
    original = parse_decision("id-1", "new", '{"d": "original", "s": 0}')
    entities = canonical_entities(
        [Mention("Lisbon", "GPE", 20, 26)], title="Headline", text_length=40, labels=("GPE",)
    )
    event = build_event(article, cleaned, original, entities, now=NOW)
    validate(event, ENRICHED_SCHEMA)
    assert event.event_id == event_id_for("id-1") and event.title == "Headline"
    copy = parse_decision("id-2", "new", '{"d": "duplicate", "of": "id-1", "m": "exact", "s": 1}')
    validate(build_notice(article, copy, now=NOW), DUPLICATE_SCHEMA)
    dead = build_dead_letter(
        reason="invalid_utf8",
        detail="bad",
        value=b"\xff",
        key=None,
        topic="t",
        partition=0,
        offset=3,
        now=NOW,
    )
    validate(dead, DEAD_LETTER_SCHEMA)
