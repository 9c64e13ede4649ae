from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.core.fingerprints import (
    BANDS,
    NUM_PERM,
    body_fingerprint,
    content_fingerprint,
    estimate_jaccard,
    exact_jaccard,
    lsh_bands,
    minhash,
    signature_from_bytes,
)
from workers.core.lines import normalize_line

PARAS = [
    "The city council voted on Tuesday to build a second bridge over the river.",
    "The mayor said the bridge would cut commuting times for thousands of people.",
    "The project is expected to cost two billion euros over seven years of work.",
    "Environmental groups warned that the bridge would cross a protected estuary.",
    "Construction could begin next year if the investment bank confirms its loan.",
    "Opposition councillors asked for a referendum before any contract is signed.",
]


def test_content_fingerprint_ignores_case_space_and_quotes() -> None:
    a = content_fingerprint(["Hello  \u201cworld\u201d", "Second line"])
    b = content_fingerprint(['hello "world"', "second   LINE"])
    assert a == b
    assert a != content_fingerprint(["hello world", "second line"])


def test_signature_is_deterministic_and_sized() -> None:
    text = "\n".join(PARAS)
    sig = minhash(text)
    assert sig.dtype == np.uint32 and sig.shape == (NUM_PERM,)
    assert np.array_equal(sig, minhash(text))
    assert len(lsh_bands(sig)) == BANDS
    printed = body_fingerprint([normalize_line(p) for p in PARAS])
    assert np.array_equal(signature_from_bytes(printed.signature), sig)


def test_estimate_tracks_true_jaccard() -> None:
    base = "\n".join(PARAS)
    edited = "\n".join([*PARAS[:-1], "A completely different closing paragraph about bus lanes."])
    true = exact_jaccard(base, edited)
    est = estimate_jaccard(minhash(base), minhash(edited))
    assert 0.5 < true < 0.95
    assert abs(est - true) < 0.2


def test_near_copies_share_a_band_and_distinct_texts_do_not() -> None:
    base = "\n".join(PARAS)
    near = "By a staff reporter\n" + base
    other = "\n".join(p[::-1] for p in PARAS)
    bands = set(lsh_bands(minhash(base)))
    assert bands & set(lsh_bands(minhash(near)))
    assert not bands & set(lsh_bands(minhash(other)))


@settings(max_examples=50)
@given(st.text(min_size=1, max_size=300))
def test_identical_texts_have_similarity_one(text: str) -> None:
    assert estimate_jaccard(minhash(text), minhash(text)) == 1.0
