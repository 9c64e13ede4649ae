"""Any bytes at all: decoding either gives an article or a typed DecodeError, and the pure
steps after it never raise (so the worker never exits because of a message)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workers.adapters.language_id import LangId
from workers.core.articles import decode_article
from workers.core.fingerprints import body_fingerprint
from workers.core.language import detect_language
from workers.core.lines import clean_lines
from workers.errors import DecodeError

LANGID = LangId()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=10,
)


def run_pure_steps(value: bytes, key: bytes | None) -> None:
    try:
        article = decode_article(value, key, max_bytes=20_000)
    except DecodeError as error:
        assert error.reason and not error.retriable
        return
    cleaned = clean_lines(article.text)
    body_fingerprint(cleaned.normalized)
    detect_language(cleaned.body, LANGID)
    assert article.id and article.text.strip()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.one_of(st.none(), st.binary(max_size=40)))
def test_random_bytes(value: bytes, key: bytes | None) -> None:
    run_pure_steps(value, key)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(["id", "text", "title", "url", "source", "published_at", "x"]),
        json_values,
        max_size=6,
    )
)
def test_random_json_objects(data: dict[str, object]) -> None:
    run_pure_steps(json.dumps(data).encode(), None)


@settings(max_examples=200)
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    run_pure_steps(text.encode("utf-8", errors="surrogatepass"), b"k")
