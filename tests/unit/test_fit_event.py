"""The trimming rule that makes every enriched event fit its topic's record limit."""

from __future__ import annotations

import json

from topics.records import EnrichedEvent
from workers.core.articles import decode_article
from workers.core.dedupe import parse_decision
from workers.core.entities import Mention, canonical_entities
from workers.core.events import build_event, fit_event
from workers.core.lines import clean_lines

NOW = 1_780_000_000.0
NAMES = ["Lisbon", "Porto", "Carlos Moedas", "Genoa", "Braga", "Coimbra", "Faro", "Evora"]


def long_event(paragraphs: int = 400) -> EnrichedEvent:
    lines = ["Bridges of the north"]
    for n in range(paragraphs):
        lines.append(f"Paragraph {n}: {' and '.join(NAMES)} met on day {n} to talk about bridges.")
    text = "\n".join(lines)
    article = decode_article(text.encode(), b"long-1", max_bytes=10_000_000)
    cleaned = clean_lines(article.text)
    mentions = []
    for name in NAMES:
        at = cleaned.body.find(name)
        while at >= 0:
            mentions.append(Mention(name, "PERSON" if " " in name else "GPE", at, at + len(name)))
            at = cleaned.body.find(name, at + 1)
    mentions.sort(key=lambda m: m.start)
    entities = canonical_entities(
        mentions, title=lines[0], text_length=len(cleaned.body), labels=("GPE", "PERSON")
    )
    decision = parse_decision("long-1", "new", '{"d": "original", "s": 0}')
    return build_event(article, cleaned, decision, entities, now=NOW)


def test_an_event_that_fits_is_left_whole() -> None:
    event = long_event(5)
    assert fit_event(event, 1_000_000) == event.to_json()


def test_mentions_go_first_and_counts_stay() -> None:
    event = long_event()
    whole = len(event.to_json())
    without_mentions = EnrichedEvent(
        **{**event.__dict__, "entities": [], "trimmed": []}
    )  # an upper bound of the body's share
    limit = whole - 1_000
    assert len(without_mentions.to_json()) < limit
    data = json.loads(fit_event(event, limit))
    assert data["trimmed"] == ["mentions"]
    assert data["body"] == event.body
    assert all(e["mentions"] == [] for e in data["entities"])
    assert [e["count"] for e in data["entities"]] == [e.count for e in event.entities]


def test_then_the_body_is_cut_at_a_paragraph_boundary() -> None:
    event = long_event()
    limit = len(event.body.encode()) // 2
    value = fit_event(event, limit)
    data = json.loads(value)
    assert len(value) <= limit
    assert data["trimmed"] == ["mentions", "body"]
    assert event.body.startswith(data["body"]) and len(data["body"]) < len(event.body)
    assert event.body[len(data["body"]) : len(data["body"]) + 2] == "\n\n"
    assert len(data["entities"]) == len(event.entities)


def test_then_the_least_salient_entities_go() -> None:
    event = long_event()
    empty = EnrichedEvent(**{**event.__dict__, "body": "", "entities": [], "trimmed": []})
    limit = len(empty.to_json()) + 300
    value = fit_event(event, limit)
    data = json.loads(value)
    assert len(value) <= limit
    assert data["trimmed"] == ["mentions", "body", "entities"]
    kept = {e["canonical"] for e in data["entities"]}
    ranked = sorted(event.entities, key=lambda e: -e.salience)
    assert kept == {e.canonical for e in ranked[: len(kept)]}
    assert 0 < len(kept) < len(event.entities)
