"""Write topics/asyncapi.yaml from the topic specs and JSON Schemas of topics/.

    .venv/bin/python scripts/asyncapi.py

tests/unit/test_asyncapi.py rebuilds it and fails when the committed document
and topics/ drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from topics import (
    ARTICLE_SCHEMA,
    DEAD_LETTER_SCHEMA,
    DUPLICATE_SCHEMA,
    ENRICHED_SCHEMA,
    STORY_SCHEMA,
    TOPICS,
    load_schema,
)
from workers import __version__

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "topics" / "asyncapi.yaml"
PREFIX = "news."
PAYLOADS = {
    "raw": ("article", ARTICLE_SCHEMA, "receive"),
    "enriched": ("enrichedEvent", ENRICHED_SCHEMA, "send"),
    "duplicates": ("duplicateNotice", DUPLICATE_SCHEMA, "send"),
    "dlq": ("deadLetter", DEAD_LETTER_SCHEMA, "send"),
    "stories": ("storyState", STORY_SCHEMA, "send"),
}


def build() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for spec in TOPICS:
        message, schema_name, action = PAYLOADS[spec.role]
        schema = dict(load_schema(schema_name))
        schema.pop("$schema", None)
        channels[spec.role] = {
            "address": spec.name(PREFIX),
            "description": spec.doc,
            "messages": {message: {"$ref": f"#/components/messages/{message}"}},
            "bindings": {
                "kafka": {
                    "topicConfiguration": {
                        "retention.ms": spec.retention_ms,
                        "cleanup.policy": spec.cleanup_policy.split(","),
                    }
                }
            },
        }
        operations[f"{action}{spec.role.capitalize()}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{spec.role}"},
            "summary": ("The worker consumes" if action == "receive" else "The worker publishes")
            + f" {spec.name(PREFIX)}.",
        }
        messages[message] = {
            "name": message,
            "title": schema.get("title", message),
            "contentType": "application/json",
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "description": "story id" if spec.role == "stories" else "article id",
                    }
                }
            },
            "payload": {
                "schemaFormat": "application/schema+json;version=draft-07",
                "schema": schema,
            },
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "newsworker",
            "version": __version__,
            "description": "Topics of the newsworker news ingestion worker. Names use the "
            "default prefix 'news.' (NEWSWORKER_TOPIC_PREFIX). Generated from topics/ by "
            "scripts/asyncapi.py; do not edit by hand.",
        },
        "servers": {
            "local": {
                "host": "127.0.0.1:29092",
                "protocol": "kafka",
                "description": "The local dev stack (newsworker dev up).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> str:
    return yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"written {TARGET.relative_to(ROOT)}")
