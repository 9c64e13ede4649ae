"""Topics and event records of newsworker, declared once.

Every worker, CLI tool and test imports topic names and record types from
here; the JSON Schemas in ``topics/schemas/`` describe the same records for
subscribers that do not read Python.
"""

from topics.records import (
    ARTICLE_SCHEMA,
    DEAD_LETTER_SCHEMA,
    DUPLICATE_SCHEMA,
    ENRICHED_SCHEMA,
    ENRICHED_SCHEMA_V1,
    EVENT_SCHEMA_VERSION,
    STORY_SCHEMA,
    DeadLetter,
    DuplicateNotice,
    EnrichedEvent,
    EntityRecord,
    GeoRecord,
    MentionRecord,
    ModelRecord,
    OutletCount,
    StoryEntity,
    StoryRecord,
    load_schema,
)
from topics.specs import (
    DLQ,
    DUPLICATES,
    ENRICHED,
    RAW,
    STORIES,
    TOPICS,
    TopicSpec,
    topic_by_role,
)

__all__ = [
    "ARTICLE_SCHEMA",
    "DEAD_LETTER_SCHEMA",
    "DLQ",
    "DUPLICATES",
    "DUPLICATE_SCHEMA",
    "ENRICHED",
    "ENRICHED_SCHEMA",
    "ENRICHED_SCHEMA_V1",
    "EVENT_SCHEMA_VERSION",
    "RAW",
    "STORIES",
    "STORY_SCHEMA",
    "TOPICS",
    "DeadLetter",
    "DuplicateNotice",
    "EnrichedEvent",
    "EntityRecord",
    "GeoRecord",
    "MentionRecord",
    "ModelRecord",
    "OutletCount",
    "StoryEntity",
    "StoryRecord",
    "TopicSpec",
    "load_schema",
    "topic_by_role",
]
