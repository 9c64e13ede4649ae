"""Typed records published by newsworker. Field docs are the contract.

Each record has a JSON Schema beside this module (``schemas/``), kept in sync
by ``tests/unit/test_schemas.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, ClassVar

EVENT_SCHEMA_VERSION = 2
ARTICLE_SCHEMA = "article.v1.json"
ENRICHED_SCHEMA = "enriched.v2.json"
ENRICHED_SCHEMA_V1 = "enriched.v1.json"
DUPLICATE_SCHEMA = "duplicate.v1.json"
DEAD_LETTER_SCHEMA = "dead-letter.v1.json"
STORY_SCHEMA = "story.v1.json"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """One JSON Schema of ``topics/schemas`` as a dict."""
    text = resources.files("topics").joinpath("schemas", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _plain(value: Any) -> Any:
    """Like ``dataclasses.asdict`` for these records, without its deep copies (a hot path)."""
    if isinstance(value, _Record):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class _Record:
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _plain(self)
        return result

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class MentionRecord(_Record):
    text: str
    """The mention as written in the body."""
    start: int
    """Character offset of the mention in ``body``."""
    end: int
    """Character offset just past the mention in ``body``."""


@dataclass(frozen=True)
class GeoRecord(_Record):
    name: str
    """The place's name in the gazetteer (GeoNames, else ISO 3166-2)."""
    kind: str
    """``country``, ``region`` (first-level subdivision: state, province...), ``county``
    (a US county, parish or borough; its state in ``region``) or ``city``."""
    country: str
    """ISO 3166-1 alpha-2 code of the country the place is in (or is)."""
    geonameid: int | None = None
    """GeoNames id (https://www.geonames.org/<id>); null for a region GeoNames data here
    does not carry."""
    region: str | None = None
    """ISO 3166-2 code of a region, or of the region a county lies in."""
    latitude: float | None = None
    """WGS84 latitude of a city, or of a point inside a country or region (a map pin, not
    a centroid); null for counties and the few countries the data gives no point."""
    longitude: float | None = None
    """WGS84 longitude of a city, or of a point inside a country or region; null for
    counties and the few countries the data gives no point."""


@dataclass(frozen=True)
class EntityRecord(_Record):
    text: str
    """The longest way the article writes the name."""
    label: str
    """spaCy label after repair by vote (PERSON, ORG, GPE, LOC, NORP, EVENT, ...)."""
    canonical: str
    """One name per real-world entity within the article ("Putin" -> "Vladimir Putin")."""
    count: int
    """Mentions of the entity in the body."""
    mentions: list[MentionRecord] = field(default_factory=list)
    """Every mention, in order, with character offsets into ``body`` (v2)."""
    first_offset: int = 0
    """Offset of the first mention in ``body`` (v2)."""
    salience: float = 0.0
    """0..1, the most salient entity of the article is 1: earlier and more frequent
    mentions weigh more, a mention in the title most (v2)."""
    geo: GeoRecord | None = None
    """Where the place is, for a GPE/LOC entity that resolved against the gazetteer;
    null when it did not or the evidence was weak (v2, optional). A part of a country or
    US state named with a compass word ("North Texas") gets the country's or
    state's."""


@dataclass(frozen=True)
class ModelRecord(_Record):
    name: str
    """spaCy pipeline name (e.g. ``en_core_web_sm``)."""
    version: str
    """Pipeline version (e.g. ``3.8.0``)."""


@dataclass(frozen=True)
class EnrichedEvent(_Record):
    """One new story: the first article of it that newsworker saw."""

    event_id: str
    """Deterministic for the article: a replay yields the same id (consumers may dedupe on it)."""
    article_id: str
    """Id of the raw article (JSON ``id``, else message key, else a digest of the text)."""
    source: str
    """Publisher or crawler the article came from."""
    url: str | None
    """Address of the article, when known."""
    title: str
    """Given title, else the first line of the cleaned body."""
    body: str
    """Cleaned text: repeated lines, teasers and chrome removed; paragraphs split by blank lines."""
    entities: list[EntityRecord]
    """Named entities, one per canonical name."""
    story_id: str
    """The story the article belongs to, derived from the id of the story's first article:
    the same on updates, on coverage by other outlets and on copies (duplicate notices)."""
    processed_at: str
    """When the worker decided, ISO 8601 UTC."""
    published_at: str | None = None
    """As given by the input, untouched."""
    lines_removed: dict[str, int] = field(default_factory=dict)
    """Lines removed from the raw text, per reason: repeat, teaser, chrome."""
    truncated: bool = False
    """True when the body was longer than the NER limit and only its start was analysed."""
    language: str = "en"
    """ISO 639-1 code of the body's language (``und``: too short to tell). English text
    gets entities from the model; other languages only the places named in them, found
    by name in the gazetteers (label GPE, with ``geo``), or an empty list (v2)."""
    model: ModelRecord | None = None
    """The NER pipeline that found the entities; null when NER is switched off (v2)."""
    trimmed: list[str] = field(default_factory=list)
    """What was cut so the event fits the topic's record limit, in this order: ``mentions``
    (every entity's mention list; counts, first offsets and salience stay), ``body`` (cut at a
    paragraph boundary; offsets still refer to the whole cleaned body), ``entities`` (the least
    salient dropped). Empty for almost every article (v2, optional)."""
    relation: str = "first"
    """How the article relates to the story so far: ``first`` (it starts the story),
    ``update`` (a later article of the story with real new content; its copies get
    duplicate notices) or ``coverage`` (another outlet's own text about the same event,
    linked to a recent story by its words and entities) (v2, optional)."""
    related_to: str | None = None
    """For an update: the article id of the closest earlier article of the story; for
    coverage: the story's first article (v2, optional)."""
    new_sentences: int | None = None
    """For an update: how many of its sentences the closest earlier article does not have
    (v2, optional)."""
    countries: list[str] = field(default_factory=list)
    """ISO 3166-1 alpha-2 codes of the countries the article's resolved places are in,
    most mentioned first (v2, optional)."""
    schema_version: int = EVENT_SCHEMA_VERSION
    """Major version of this record's schema."""


@dataclass(frozen=True)
class DuplicateNotice(_Record):
    """A copy of an earlier story: it gets this notice instead of a second enriched event."""

    article_id: str
    """Id of the copy."""
    source: str
    """Source of the copy (count syndication by it)."""
    url: str | None
    """Address of the copy, when known."""
    duplicate_of: str
    """Article id of the story's first article (the one with the enriched event)."""
    story_id: str
    """Story id, as on the enriched event."""
    method: str
    """``exact`` (same normalised body) or ``near`` (similar body)."""
    similarity: float
    """Estimated Jaccard similarity to the original (1.0 for exact copies)."""
    processed_at: str
    """When the worker decided, ISO 8601 UTC."""
    notice_id: str = ""
    """Deterministic id of this notice."""
    schema_version: int = 1
    """Major version of this record's schema."""


@dataclass(frozen=True)
class DeadLetter(_Record):
    """A message that could not be processed, kept whole."""

    reason: str
    """Machine-readable cause: too_large, empty, invalid_utf8, invalid_json, invalid_field,
    not_text, processing_error."""
    detail: str
    """Human-readable cause."""
    original_b64: str
    """The raw message value, base64."""
    key_b64: str | None
    """The raw message key, base64, when it had one."""
    topic: str
    """Topic the message was read from."""
    partition: int
    """Partition it was read from."""
    offset: int
    """Offset it was read from."""
    failed_at: str
    """When it was dead-lettered, ISO 8601 UTC."""
    schema_version: int = 1
    """Major version of this record's schema."""


@dataclass(frozen=True)
class OutletCount(_Record):
    source: str
    """The outlet (the articles' ``source``)."""
    articles: int
    """Its articles in the story (copies included)."""


@dataclass(frozen=True)
class StoryEntity(_Record):
    canonical: str
    """Canonical name, as on the enriched events."""
    label: str
    """Entity label (PERSON, ORG, GPE, ...)."""
    articles: int
    """Enriched articles of the story that name it among their most salient entities."""


@dataclass(frozen=True)
class StoryRecord(_Record):
    """A story's current state, on the log-compacted stories topic keyed by ``story_id``.

    A new record follows every article that joins the story; compaction keeps the
    latest per story, so reading the topic from the start gives the stories as a
    table. Two replicas can publish records of one story in either order: keep the
    one with the higher ``version``.
    """

    story_id: str
    """The story, as on its enriched events and duplicate notices."""
    title: str
    """Title of the story's first article."""
    first_article: str
    """Article id of the story's first article."""
    first_seen: str
    """When the story's first article was processed, ISO 8601 UTC."""
    last_seen: str
    """When the story's latest article was processed, ISO 8601 UTC."""
    articles: int
    """Articles in the story, copies included."""
    relations: dict[str, int]
    """Articles by relation: ``first``, ``coverage``, ``update``, ``copy``."""
    outlets: list[OutletCount]
    """Outlets with articles in the story, most articles first (at most 50)."""
    entities: list[StoryEntity]
    """The story's most named entities, most articles first (at most 10)."""
    version: int
    """Grows by one with every article counted: the higher, the newer the state."""
    schema_version: int = 1
    """Major version of this record's schema."""
