"""The input contract: raw Kafka message bytes -> :class:`Article`. Pure.

A raw message is either

* a JSON object: ``text`` (required, non-empty string) and the optional
  strings ``id``, ``url``, ``source``, ``title``, ``published_at``; or
* a bare UTF-8 text body (a scraped page); its title is then its first
  non-chrome line.

The article id is the JSON ``id``, else the message key, else a digest of the
text, so the same message always gets the same id. Anything else raises a
:class:`~workers.errors.DecodeError` subclass whose ``reason`` names the fault.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from workers.errors import (
    EmptyMessage,
    InvalidEncoding,
    InvalidField,
    InvalidJson,
    MessageTooLarge,
    NotText,
)

MAX_ID_CHARS = 256
MAX_FIELD_CHARS = 2048
OPTIONAL_FIELDS = ("id", "url", "source", "title", "published_at")
_ID_OK = re.compile(r"^[^\x00-\x1f\x7f]+$")
_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Article:
    """One decoded raw article."""

    id: str
    text: str
    source: str
    title: str | None = None
    url: str | None = None
    published_at: str | None = None


def text_id(text: str) -> str:
    """Id of an article that brought none: a digest of its text."""
    return "txt-" + hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _check_text(text: str) -> str:
    if not text.strip():
        raise EmptyMessage("article text is empty or whitespace only")
    if _HTML.search(text[:2048]):
        raise NotText("message is an HTML page, not article text")
    sample = text[:4096]
    if len(_CONTROL.findall(sample)) > max(4, len(sample) // 100):
        raise NotText("message looks binary: too many control characters")
    return text


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidField(f"field {name!r} must be a string, got {type(value).__name__}")
    limit = MAX_ID_CHARS if name == "id" else MAX_FIELD_CHARS
    if len(value) > limit:
        raise InvalidField(f"field {name!r} is longer than {limit} characters")
    return value.strip() or None


def _check_id(value: str) -> str:
    if len(value) > MAX_ID_CHARS or not _ID_OK.match(value):
        raise InvalidField("article id must be 1-256 printable characters")
    return value


def decode_article(
    value: bytes | None, key: bytes | None, *, max_bytes: int, default_source: str = "unknown"
) -> Article:
    """Decode one raw message, or raise a :class:`~workers.errors.DecodeError`."""
    if value is None or len(value) == 0:
        raise EmptyMessage("message has no value")
    if len(value) > max_bytes:
        raise MessageTooLarge(f"message is {len(value)} bytes, the limit is {max_bytes}")
    try:
        raw = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(f"message is not valid UTF-8 (byte {exc.start})") from None
    raw = raw.removeprefix("\ufeff")
    key_id = None
    if key:
        try:
            key_id = _check_id(key.decode("utf-8").strip())
        except (UnicodeDecodeError, InvalidField):
            key_id = None
    head = raw.lstrip()[:1]
    if head == "{":
        return _decode_json(raw, key_id, default_source)
    if head == "[" and _parses_as_json(raw):
        raise InvalidJson("JSON message must be an object, not an array")
    text = _check_text(raw)
    return Article(id=key_id or text_id(text), text=text, source=default_source)


def _parses_as_json(raw: str) -> bool:
    try:
        json.loads(raw)
    except json.JSONDecodeError:
        return False
    return True


def _decode_json(raw: str, key_id: str | None, default_source: str) -> Article:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"message starts like JSON but is not: {exc.msg} at {exc.pos}") from None
    if not isinstance(data, dict):
        raise InvalidJson("JSON message must be an object")
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidField("JSON message needs a string field 'text'")
    text = _check_text(text)
    fields = {name: _optional_str(data, name) for name in OPTIONAL_FIELDS}
    article_id = fields["id"] and _check_id(fields["id"])
    return Article(
        id=article_id or key_id or text_id(text),
        text=text,
        source=fields["source"] or default_source,
        title=fields["title"],
        url=fields["url"],
        published_at=fields["published_at"],
    )
