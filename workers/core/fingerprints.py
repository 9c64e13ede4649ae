"""Fingerprints of article bodies: pure, deterministic across processes.

* :func:`content_fingerprint`: exact copies (same normalised lines).
* :func:`minhash`: a MinHash signature over word shingles, estimating the
  Jaccard similarity of two bodies; :func:`lsh_bands` cuts it into bands so
  that near copies share at least one band key with high probability
  (locality-sensitive hashing). Lookups touch a fixed number of keys, however
  many articles are stored.

No use of Python's ``hash()``: it is salted per process, and every replica
must compute the same values.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workers.core.lines import (
    CLOSERS,
    ENDS_SENTENCE,
    STOPS,
    UNSPACED,
    normalize_line,
    tokens,
    tokens_and_length,
)

#: Layout of fingerprints and signatures; part of every Redis key, so a change
#: never mixes old and new fingerprints (old state simply expires). Kept at 2 when
#: scripts without spaces became one token a character: every other text's
#: fingerprints are unchanged, and a Chinese copy of an article indexed before that
#: is at worst published once more, which a new version would do for every language.
#: Kept again when Thai and Lao sentences began to end at a space: a Thai article
#: indexed before has no sentences, so a copy of it counts every sentence as new and
#: is published once more as an update. Kept a third time when Armenian's full stop
#: "։" began to end a sentence, and a fourth when a text with no whole sentence began
#: to count its lines, for the same reason.
FINGERPRINT_VERSION = 2
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3


def _permutations(count: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    # Fixed seed: the same (a, b) pairs in every process and every release of
    # this signature layout. Changing them invalidates stored signatures.
    rng = np.random.Generator(np.random.PCG64(20260101))
    a = rng.integers(0, np.iinfo(np.uint64).max, size=count, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, np.iinfo(np.uint64).max, size=count, dtype=np.uint64)
    return a, b


_PERM_A, _PERM_B = _permutations(NUM_PERM)
_SHINGLE_MIX = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xFF51AFD7ED558CCD),
)


def content_fingerprint(lines: Sequence[str], *, normalized: bool = False) -> str:
    """Hex digest of the normalised lines: equal for exact copies, whatever the spacing or case."""
    norms = lines if normalized else [normalize_line(line) for line in lines]
    return hashlib.blake2b("\n".join(norms).encode("utf-8"), digest_size=16).hexdigest()


def words(text: str, *, normalized: bool = False) -> list[str]:
    """Lower-cased word tokens of a text (after NFKC/quote folding unless already done).

    Each character of a script written without spaces is a token
    (:func:`workers.core.lines.tokens`): the shingles of a Chinese text are its
    character trigrams.
    """
    return tokens(text if normalized else normalize_line(text))


@functools.lru_cache(maxsize=1 << 18)
def _word_hash(token: str) -> int:
    """CRC32 of a word; cached, since news vocabulary repeats heavily."""
    return zlib.crc32(token.encode("utf-8"))


def shingle_hashes(
    text: str, size: int = SHINGLE_WORDS, *, normalized: bool = False
) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the word ``size``-grams of a text, in order (a short text: its words).

    Each word is hashed once (CRC32); a shingle's hash mixes its words' hashes
    with odd 64-bit constants, vectorised, wrapping modulo 2**64.
    """
    tokens = words(text, normalized=normalized)
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    hashed = np.fromiter(map(_word_hash, tokens), dtype=np.uint64, count=len(tokens))
    width = min(size, len(hashed))
    count = len(hashed) - width + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        mixed ^= hashed[offset : offset + count] * _SHINGLE_MIX[offset]
        mixed = (mixed << np.uint64(7)) | (mixed >> np.uint64(57))
    return mixed


def shingle_set(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """The distinct shingle hashes of a text (for exact Jaccard in evaluation)."""
    return set(shingle_hashes(text, size).tolist())


def minhash(text: str, *, normalized: bool = False) -> npt.NDArray[np.uint32]:
    """MinHash signature (``NUM_PERM`` uint32 values) of a text's shingles.

    Permutations are multiply-shift hashes, ``(a * x + b) >> 32`` modulo 2**64,
    with odd ``a``: one vectorised pass over all shingles.
    """
    hashes = shingle_hashes(text, normalized=normalized)
    if hashes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    mixed = (np.multiply.outer(_PERM_A, hashes) + _PERM_B[:, None]) >> np.uint64(32)
    signature: npt.NDArray[np.uint32] = mixed.min(axis=1).astype(np.uint32)
    return signature


def signature_bytes(signature: npt.NDArray[np.uint32]) -> bytes:
    """Signature packed little-endian, as stored in Redis."""
    return signature.astype("<u4").tobytes()


def signature_from_bytes(data: bytes) -> npt.NDArray[np.uint32]:
    """A MinHash signature from its little-endian bytes."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def lsh_bands(signature: npt.NDArray[np.uint32]) -> list[str]:
    """One key per band: band index and a short digest of its rows."""
    packed = signature.astype("<u4").tobytes()
    width = ROWS * 4
    return [
        f"{band:02d}"
        + hashlib.blake2b(packed[band * width : (band + 1) * width], digest_size=6).hexdigest()
        for band in range(BANDS)
    ]


def estimate_jaccard(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """Share of equal signature slots: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / float(len(a))


def exact_jaccard(text_a: str, text_b: str) -> float:
    """True Jaccard similarity of two texts' shingle sets (for evaluation)."""
    a = shingle_set(text_a)
    b = shingle_set(text_b)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class BodyFingerprint:
    """Everything the dedupe index needs to know about one cleaned body."""

    content: str
    signature: bytes
    bands: tuple[str, ...]


def body_fingerprint(normalized_lines: Sequence[str]) -> BodyFingerprint:
    """Fingerprints of a cleaned body, from its lines already in :func:`normalize_line` form."""
    signature = minhash("\n".join(normalized_lines), normalized=True)
    return BodyFingerprint(
        content=content_fingerprint(normalized_lines, normalized=True),
        signature=signature_bytes(signature),
        bands=tuple(lsh_bands(signature)),
    )


#: Sentences shorter than this (in words) are not counted as content (datelines, bylines,
#: credit lines, captions: news sentences average about twenty words). In a script
#: written without spaces two characters count one word
#: (:func:`workers.core.lines.tokens_and_length`).
MIN_SENTENCE_WORDS = 8
#: At most this many distinct sentences of an article are fingerprinted.
MAX_SENTENCES = 256
#: Scripts with no mark for a sentence's end (Thai, Lao): they write a space where a
#: sentence or clause ends (and none between words), so there a space between two of
#: their characters ends one, and so does a line's end.
UNMARKED = "\u0e00-\u0eff"
#: Where one sentence ends and the next starts on a line: after a mark (and its closers),
#: at spaces, or at once before a script written without spaces (Chinese and Japanese
#: write the next sentence straight after "。").
_SENTENCE_END = re.compile(rf"(?<=[{STOPS}])[{CLOSERS}]*(?:\s+|(?=[{UNSPACED}]))")
#: The same, and in Thai or Lao at a space (for lines with those scripts only: the
#: second pattern makes the split about two and a half times slower).
_SENTENCE_END_UNMARKED = re.compile(
    rf"{_SENTENCE_END.pattern}|(?<=[{UNMARKED}])\s+(?=[{UNMARKED}])"
)
_ANY_UNMARKED = re.compile(f"[{UNMARKED}]")
#: The end of a sentence in one of those scripts.
_UNMARKED_END = re.compile(rf"[{UNMARKED}]$")


def sentence_fingerprints(normalized_lines: Sequence[str]) -> tuple[str, ...]:
    """8-hex-digit fingerprints of an article's sentences, in order, each once.

    From normalised lines split at sentence ends: what a later article is checked
    against for new content. Words only: punctuation and spacing changes do not count.
    Only whole sentences count: a line's last part that ends no sentence (a headline,
    a byline, "Reporting by ...; editing by ...", a label) is not content, so a copy
    with a new headline and byline adds none. Thai and Lao mark no sentence's end: there
    a part that ends with their script is whole (:data:`UNMARKED`). A text with no whole
    sentence at all (a list, a results table, a script whose marks are not in
    :data:`~workers.core.lines.STOPS`) counts its lines instead: otherwise every later
    version of it, however much it adds, would be a copy.
    """
    whole = _fingerprints(_whole_sentences(normalized_lines))
    return whole or _fingerprints(normalized_lines)


def _whole_sentences(normalized_lines: Sequence[str]) -> Iterator[str]:
    """The parts of the lines, cut at sentence ends, that end a sentence."""
    for line in normalized_lines:
        unmarked = not line.isascii() and _ANY_UNMARKED.search(line) is not None
        for sentence in (_SENTENCE_END_UNMARKED if unmarked else _SENTENCE_END).split(line):
            if ENDS_SENTENCE.search(sentence) or (unmarked and _UNMARKED_END.search(sentence)):
                yield sentence


def _fingerprints(sentences: Iterable[str]) -> tuple[str, ...]:
    """Fingerprints of the sentences of :data:`MIN_SENTENCE_WORDS` or more, each once."""
    seen: dict[str, None] = {}
    for sentence in sentences:
        found, length = tokens_and_length(sentence)
        if length < MIN_SENTENCE_WORDS:
            continue
        digest = hashlib.blake2b(" ".join(found).casefold().encode("utf-8"), digest_size=4)
        seen.setdefault(digest.hexdigest(), None)
        if len(seen) >= MAX_SENTENCES:
            break
    return tuple(seen)


def simhash64(text: str) -> int:
    """64-bit SimHash over the same word shingles (kept to compare the two schemes; see README)."""
    tokens = words(text)
    size = SHINGLE_WORDS
    grams = [" ".join(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 1))]
    weights = np.zeros(64, dtype=np.int64)
    for gram in set(grams):
        value = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big")
        bits = np.array([(value >> bit) & 1 for bit in range(64)], dtype=np.int64)
        weights += 2 * bits - 1
    return int(sum(1 << bit for bit in range(64) if weights[bit] > 0))


def hamming(a: int, b: int) -> int:
    """Number of differing bits of two 64-bit hashes."""
    return (a ^ b).bit_count()
