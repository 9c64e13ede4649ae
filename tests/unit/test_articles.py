from __future__ import annotations

import json

import pytest

from workers.core.articles import Article, decode_article, text_id
from workers.errors import (
    DecodeError,
    EmptyMessage,
    InvalidEncoding,
    InvalidField,
    InvalidJson,
    MessageTooLarge,
    NotText,
)

LIMIT = 10_000


def decode(value: bytes | None, key: bytes | None = None) -> Article:
    return decode_article(value, key, max_bytes=LIMIT)


def test_json_object_with_all_fields() -> None:
    body = {
        "id": "a1",
        "url": "https://x/1",
        "source": "wire",
        "title": "T",
        "text": "Body text.",
        "published_at": "2026-01-01T00:00:00Z",
    }
    article = decode(json.dumps(body).encode())
    assert (article.id, article.source, article.title, article.url) == (
        "a1",
        "wire",
        "T",
        "https://x/1",
    )
    assert article.text == "Body text."
    assert article.published_at == "2026-01-01T00:00:00Z"


def test_bare_text_uses_key_else_digest() -> None:
    assert decode(b"Some news text.", key=b"k-9").id == "k-9"
    article = decode(b"Some news text.")
    assert article.id == text_id("Some news text.") and article.source == "unknown"
    assert decode(b"Some news text.").id == article.id  # stable


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (None, EmptyMessage),
        (b"", EmptyMessage),
        (b"   \n\t  ", EmptyMessage),
        (b"\xff\xfe\x00bad", InvalidEncoding),
        (b"x" * (LIMIT + 1), MessageTooLarge),
        (b'{"text": ', InvalidJson),
        (b'{"id": "x"}', InvalidField),
        (b'{"text": 42}', InvalidField),
        (b'{"text": "ok", "title": ["a"]}', InvalidField),
        (b'{"text": "   "}', EmptyMessage),
        (b"<!DOCTYPE html><html><body>hi</body></html>", NotText),
        (bytes(range(1, 32)) * 20, NotText),
    ],
)
def test_bad_messages_raise_typed_decode_errors(
    value: bytes | None, error: type[DecodeError]
) -> None:
    with pytest.raises(error) as caught:
        decode(value)
    assert caught.value.reason and caught.value.message
    assert not caught.value.retriable


def test_json_array_is_not_an_article_but_bracketed_text_is() -> None:
    with pytest.raises(InvalidJson):
        decode(b'[{"text": "a"}]')
    assert decode(b"[1] Source: Reuters").text == "[1] Source: Reuters"
