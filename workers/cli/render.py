"""Readable one-record summaries for ``newsworker tail`` and ``newsworker run``. Pure."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def render_enriched(event: dict[str, Any], *, entities: int = 8) -> str:
    """An enriched event as a short readable block."""
    names = ", ".join(
        f"{e.get('canonical')} ({e.get('label')} x{e.get('count')})"
        for e in event.get("entities", [])[:entities]
    )
    more = len(event.get("entities", [])) - entities
    if more > 0:
        names += f", +{more} more"
    removed = ", ".join(f"{k} {v}" for k, v in (event.get("lines_removed") or {}).items())
    lines = [
        f"[enriched] {event.get('article_id')}  ({event.get('source')})",
        f"  title:    {_short(str(event.get('title', '')), 90)}",
        f"  story:    {event.get('story_id')}   event: {event.get('event_id')}",
        *(
            [
                f"  update:   of {event.get('related_to')}, "
                f"{event.get('new_sentences')} new sentences"
            ]
            if event.get("relation") == "update"
            else []
        ),
        *(
            [f"  coverage: of the story of {event.get('related_to')}"]
            if event.get("relation") == "coverage"
            else []
        ),
        f"  body:     {len(str(event.get('body', '')))} chars; lines removed: {removed or 'none'}",
    ]
    lines += textwrap.wrap(
        names or "none", width=100, initial_indent="  entities: ", subsequent_indent=" " * 12
    )
    return "\n".join(lines)


def render_duplicate(notice: dict[str, Any]) -> str:
    """A duplicate notice as a short readable block."""
    return (
        f"[duplicate] {notice.get('article_id')}  ({notice.get('source')})\n"
        f"  copy of {notice.get('duplicate_of')} by {notice.get('method')} match, "
        f"similarity {notice.get('similarity')}; story {notice.get('story_id')}"
    )


def render_dead_letter(record: dict[str, Any]) -> str:
    """A dead-letter record as a short readable block."""
    return (
        f"[dead-letter] {record.get('reason')}: {_short(str(record.get('detail', '')), 100)}\n"
        f"  from {record.get('topic')}[{record.get('partition')}]@{record.get('offset')}, "
        f"{len(str(record.get('original_b64', ''))) * 3 // 4} bytes kept"
    )


def render_story(story: dict[str, Any], *, entities: int = 6) -> str:
    """A story's state as a short readable block."""
    relations = ", ".join(f"{k} {v}" for k, v in (story.get("relations") or {}).items())
    outlets = story.get("outlets") or []
    names = ", ".join(
        f"{e.get('canonical')} ({e.get('label')} x{e.get('articles')})"
        for e in (story.get("entities") or [])[:entities]
    )
    return "\n".join(
        [
            f"[story] {story.get('story_id')}  {story.get('articles')} articles ({relations})",
            f"  title:    {_short(str(story.get('title', '')), 90)}",
            f"  seen:     {story.get('first_seen')} .. {story.get('last_seen')}",
            f"  outlets:  {len(outlets)}: "
            + _short(", ".join(f"{o.get('source')} x{o.get('articles')}" for o in outlets), 80),
            f"  entities: {names or 'none'}",
        ]
    )


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "enriched": render_enriched,
    "duplicates": render_duplicate,
    "dlq": render_dead_letter,
    "stories": render_story,
}


def render(role: str, value: bytes | None) -> str:
    """Summary of one record; undecodable values are shown as such, not raised."""
    try:
        data = json.loads(value or b"")
    except ValueError:
        return f"[{role}] (not JSON: {len(value or b'')} bytes)"
    if not isinstance(data, dict):
        return f"[{role}] (unexpected JSON {type(data).__name__})"
    return RENDERERS[role](data)


def record_matches(
    record: dict[str, Any],
    *,
    entity: str | None = None,
    label: str | None = None,
    source: str | None = None,
) -> bool:
    """Filters of ``newsworker tail``: all given ones must hold.

    ``entity`` matches an entity's canonical name, text or one of its mentions
    (case-insensitive),
    ``label`` an entity label, ``source`` the record's source (for a story: one of
    its outlets). A record with no
    entities (a duplicate notice, a dead letter) never matches an entity or
    label filter.
    """
    if source is not None:
        sources = [record.get("source"), *(o.get("source") for o in record.get("outlets") or [])]
        if source.casefold() not in {str(s).casefold() for s in sources if s is not None}:
            return False
    entities = record.get("entities") or []
    if entity is not None:
        wanted = entity.casefold()
        if not any(wanted in _names_of(e) for e in entities):
            return False
    if label is not None and not any(str(e.get("label")) == label.upper() for e in entities):
        return False
    return True


def _names_of(entity: dict[str, Any]) -> set[str]:
    names = {str(entity.get("canonical", "")), str(entity.get("text", ""))}
    names |= {str(m.get("text", "")) for m in entity.get("mentions") or [] if isinstance(m, dict)}
    return {name.casefold() for name in names}
