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

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workers.lines import normalize_line

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_WORD = re.compile(r"\w+", re.UNICODE)


def _permutations(count: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    # Fixed seed: the same (a, b) pairs in every process and every release of
    # this signature layout. Changing them invalidates stored signatures.
    rng = np.random.Generator(np.random.PCG64(20260101))
    a = rng.integers(1, (1 << 32) - 1, size=count, dtype=np.uint64)
    b = rng.integers(0, (1 << 32) - 1, size=count, dtype=np.uint64)
    return a, b


_PERM_A, _PERM_B = _permutations(NUM_PERM)


def content_fingerprint(lines: Sequence[str]) -> str:
    """Hex digest of the normalised lines: equal for exact copies, whatever the spacing or case."""
    digest = hashlib.blake2b(digest_size=16)
    for line in lines:
        digest.update(normalize_line(line).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def words(text: str) -> list[str]:
    """Lower-cased word tokens of a text (after NFKC/quote folding)."""
    return _WORD.findall(normalize_line(text))


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> npt.NDArray[np.uint64]:
    """Distinct CRC32 hashes of the word ``size``-grams of a text (a short text: its words)."""
    tokens = words(text)
    if len(tokens) < size:
        grams = [" ".join(tokens)] if tokens else []
    else:
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    values = {zlib.crc32(gram.encode("utf-8")) for gram in grams}
    return np.fromiter(values, dtype=np.uint64, count=len(values))


def minhash(text: str) -> npt.NDArray[np.uint32]:
    """MinHash signature (``NUM_PERM`` uint32 values) of a text's shingles."""
    hashes = shingle_hashes(text)
    if hashes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    # (a * x + b) mod p, for every permutation (rows) and shingle (columns).
    # a, x < 2**32 so a * x < 2**64: no overflow before the modulo.
    products = np.outer(_PERM_A, hashes) % _MERSENNE
    mixed = ((products + _PERM_B[:, None]) % _MERSENNE) & _MAX32
    signature: npt.NDArray[np.uint32] = mixed.min(axis=1).astype(np.uint32)
    return signature


def signature_bytes(signature: npt.NDArray[np.uint32]) -> bytes:
    """Signature packed little-endian, as stored in Redis."""
    return signature.astype("<u4").tobytes()


def signature_from_bytes(data: bytes) -> npt.NDArray[np.uint32]:
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
    a = set(shingle_hashes(text_a).tolist())
    b = set(shingle_hashes(text_b).tolist())
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class BodyPrint:
    """Everything the dedupe index needs to know about one cleaned body."""

    content: str
    signature: bytes
    bands: tuple[str, ...]


def body_print(lines: Sequence[str]) -> BodyPrint:
    signature = minhash("\n".join(lines))
    return BodyPrint(
        content=content_fingerprint(lines),
        signature=signature_bytes(signature),
        bands=tuple(lsh_bands(signature)),
    )


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
    return (a ^ b).bit_count()
