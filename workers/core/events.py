"""Building the published records: pure functions of their inputs and the time."""

from __future__ import annotations

import base64
import dataclasses
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from topics.records import (
    DeadLetter,
    DuplicateNotice,
    EnrichedEvent,
    EntityRecord,
    GeoRecord,
    MentionRecord,
    ModelRecord,
)
from workers.core.articles import Article
from workers.core.dedupe import Decision
from workers.core.entities import Entity, ModelInfo
from workers.core.lines import CleanedText
from workers.core.places import Place

#: Namespace of event and notice ids (uuid5): fixed, so ids are stable across releases.
ID_NAMESPACE = uuid.UUID("5b0f6a3e-4f0c-4bd2-9a57-2f1d8c3e7a11")


def iso(moment: float) -> str:
    """ISO 8601 UTC with milliseconds."""
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="milliseconds")


def event_id_for(article_id: str) -> str:
    """Id of the enriched event of an article: the same on every replay."""
    return str(uuid.uuid5(ID_NAMESPACE, "enriched:" + article_id))


def notice_id_for(article_id: str) -> str:
    """Deterministic id of an article's duplicate notice (the same on a replay)."""
    return str(uuid.uuid5(ID_NAMESPACE, "duplicate:" + article_id))


def title_of(article: Article, cleaned: CleanedText) -> str:
    """The given title, else the first kept line."""
    if article.title:
        return article.title
    return cleaned.lines[0] if cleaned.lines else ""


def build_event(
    article: Article,
    cleaned: CleanedText,
    decision: Decision,
    entities: Sequence[Entity],
    *,
    now: float,
    truncated: bool = False,
    language: str = "en",
    model: ModelInfo | None = None,
    countries: Sequence[str] = (),
) -> EnrichedEvent:
    """The enriched event of a new article."""
    return EnrichedEvent(
        event_id=event_id_for(article.id),
        article_id=article.id,
        source=article.source,
        url=article.url,
        title=title_of(article, cleaned),
        body=cleaned.body,
        entities=[entity_record(e) for e in entities],
        story_id=decision.story_id,
        processed_at=iso(now),
        published_at=article.published_at,
        lines_removed=dict(sorted(cleaned.removed.items())),
        truncated=truncated,
        language=language,
        model=None if model is None else ModelRecord(name=model.name, version=model.version),
        countries=list(countries),
        relation=decision.relation,
        related_to=decision.related_to,
        new_sentences=decision.new_sentences,
    )


def entity_record(entity: Entity) -> EntityRecord:
    """The event's record of one canonical entity."""
    return EntityRecord(
        text=entity.text,
        label=entity.label,
        canonical=entity.canonical,
        count=entity.count,
        mentions=[MentionRecord(m.text, m.start, m.end) for m in entity.mentions],
        first_offset=entity.first_offset,
        salience=entity.salience,
        geo=None if entity.geo is None else geo_record(entity.geo),
    )


def geo_record(place: Place) -> GeoRecord:
    """The event's record of where a place is."""
    return GeoRecord(
        name=place.name,
        kind=place.kind,
        country=place.country,
        geonameid=place.geonameid,
        region=place.region if place.kind == "region" else None,
        latitude=place.latitude,
        longitude=place.longitude,
    )


def build_notice(article: Article, decision: Decision, *, now: float) -> DuplicateNotice:
    """The duplicate notice of a copy."""
    if decision.duplicate_of is None or decision.method is None:
        raise ValueError("a duplicate notice needs a duplicate decision")
    return DuplicateNotice(
        notice_id=notice_id_for(article.id),
        article_id=article.id,
        source=article.source,
        url=article.url,
        duplicate_of=decision.duplicate_of,
        story_id=decision.story_id,
        method=decision.method,
        similarity=decision.similarity,
        processed_at=iso(now),
    )


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def build_dead_letter(
    *,
    reason: str,
    detail: str,
    value: bytes | None,
    key: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    now: float,
) -> DeadLetter:
    """The dead-letter record of a message that could not be processed, with its bytes."""
    return DeadLetter(
        reason=reason,
        detail=detail[:1000],
        original_b64=_b64(value) or "",
        key_b64=_b64(key),
        topic=topic,
        partition=partition,
        offset=offset,
        failed_at=iso(now),
    )


def fit_event(event: EnrichedEvent, limit: int) -> bytes:
    """The event's JSON, made to fit in ``limit`` bytes by the documented trimming rule.

    Almost every event fits as it is. One that does not (a long article full
    of names, with mentions and escaped newlines) is trimmed in this order,
    each step only if still needed, and says so in ``trimmed``:

    1. ``mentions``: every entity's mention list is dropped (counts, first
       offsets and salience stay);
    2. ``body``: the body is cut to the longest start that fits, at a
       paragraph boundary when there is one;
    3. ``entities``: the least salient entities are dropped.

    The result always fits for any ``limit`` above the size of an event with
    an empty body and no entities (about a kilobyte).
    """
    data = event.to_json()
    if len(data) <= limit:
        return data
    event = dataclasses.replace(
        event,
        entities=[dataclasses.replace(e, mentions=[]) for e in event.entities],
        trimmed=["mentions"],
    )
    data = event.to_json()
    if len(data) <= limit:
        return data
    body = event.body
    shorter = dataclasses.replace(event, body="", trimmed=["mentions", "body"])
    keep = _longest_fitting(len(body), lambda n: dataclasses.replace(shorter, body=body[:n]), limit)
    cut = body.rfind("\n\n", 0, keep)
    event = dataclasses.replace(shorter, body=body[: cut if cut > 0 else keep].rstrip())
    data = event.to_json()
    if len(data) <= limit:
        return data
    order = sorted(range(len(event.entities)), key=lambda i: -event.entities[i].salience)
    event = dataclasses.replace(event, trimmed=["mentions", "body", "entities"])

    def most_salient(n: int) -> EnrichedEvent:
        keep = set(order[:n])
        return dataclasses.replace(
            event, entities=[e for i, e in enumerate(event.entities) if i in keep]
        )

    return most_salient(_longest_fitting(len(order), most_salient, limit)).to_json()


def _longest_fitting(size: int, make: Callable[[int], EnrichedEvent], limit: int) -> int:
    """The largest ``n <= size`` whose event ``make(n)`` encodes in ``limit`` bytes (0 if none)."""
    low, high = 0, size
    while low < high:
        middle = (low + high + 1) // 2
        if len(make(middle).to_json()) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
