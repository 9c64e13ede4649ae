"""Cross-article de-duplication as data: time buckets, key names, story ids, decisions.

Everything here is a plain function or record; the Redis adapter
(:mod:`workers.adapters.redis_dedupe`) runs the decision script with these
keys and turns its replies into :class:`Decision` values.

State is kept in time buckets of ``dedupe_bucket_seconds``; a bucket's hashes
expire ``dedupe_retention_seconds`` after the bucket ends, so memory is bounded
by the window. Every key carries the hash tag ``{<key_prefix>}``: the decision
script touches several keys atomically, which Redis Cluster allows only inside
one slot.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workers.core.fingerprints import (
    FINGERPRINT_VERSION,
    BodyFingerprint,
    body_fingerprint,
    sentence_fingerprints,
)
from workers.core.lines import (
    CleanedText,
    clean_lines,
    line_fingerprint,
    split_lines,
    word_count,
)
from workers.errors import EmptyMessage

#: Lines of at most this many words may be learned as a source's chrome (two characters
#: of a script without spaces count one word: :func:`workers.core.lines.word_count`).
CHROME_MAX_WORDS = 8
#: At most this many distinct short lines of one article are counted.
CHROME_MAX_LINES = 64
#: An update adds content: its new sentences outnumber the earlier article's sentences it
#: lacks by at least this many. A replaced paragraph or a rewritten headline (as many
#: sentences out as in) is an edit, and a credit line added on top of that is not news.
UPDATE_MIN_GROWTH = 2
#: An update has at least this many sentences the closest earlier article lacks (whole
#: sentences: a new headline or byline is not one; see
#: :func:`~workers.core.fingerprints.sentence_fingerprints`).
UPDATE_MIN_NEW_SENTENCES = 2


@dataclass(frozen=True)
class Window:
    """The time buckets that make up the retention window, current first."""

    buckets: tuple[int, ...]
    ttl_seconds: int


def window_at(now: float, bucket_seconds: int, retention_seconds: int) -> Window:
    """Buckets covering ``retention_seconds`` back from ``now``, and the TTL for the current one.

    A bucket's keys live until ``retention_seconds`` after the bucket ends, so
    an article is remembered for at least the whole retention window.
    """
    current = int(now // bucket_seconds)
    count = math.ceil(retention_seconds / bucket_seconds) + 1
    ends = (current + 1) * bucket_seconds
    ttl = max(1, math.ceil(ends + retention_seconds - now))
    return Window(buckets=tuple(current - i for i in range(count)), ttl_seconds=ttl)


@dataclass(frozen=True)
class KeySpace:
    """Names of the Redis keys, all in one cluster slot through the hash tag."""

    prefix: str

    @property
    def tag(self) -> str:
        """Hash tag and layout version that start every key: ``{nw}:v2``."""
        return "{" + self.prefix + "}" + f":v{FINGERPRINT_VERSION}"

    def decision_keys(self, window: Window, source: str) -> list[str]:
        """Every key the decision script touches, in the order it expects (see decide.lua)."""
        buckets = window.buckets
        return [
            *self._index_keys(buckets),
            *self._source_keys(buckets, source),
            *(f"{self.tag}:sent:{bucket}" for bucket in buckets),
        ]

    def link_keys(self, window: Window, stories: Window) -> list[str]:
        """Every key the story linking script touches, in the order it expects (see link.lua).

        ``window`` is the retention window (the recorded links), ``stories`` the
        story window (the index and centroids of stories not yet cold).
        """
        return [
            *(f"{self.tag}:lnk:{bucket}" for bucket in window.buckets),
            *(f"{self.tag}:sx:{bucket}" for bucket in stories.buckets),
            *(f"{self.tag}:sc:{bucket}" for bucket in stories.buckets),
            *(f"{self.tag}:df:{bucket}" for bucket in stories.buckets),
        ]

    def story_state_prefixes(self) -> tuple[str, str]:
        """The starts of a story's state key and of its members keys (see story.lua).

        ``<start>:ss:<root>`` is the story's state hash, ``<start>:sm:<root>:<bucket>``
        the articles counted into it in one bucket; story.lua names them from the story
        it finds, after this tag.
        """
        return f"{self.tag}:ss:", f"{self.tag}:sm:"

    def link_record_keys(self, window: Window) -> list[str]:
        """The hashes of recorded links (article id -> its story's first article)."""
        return [f"{self.tag}:lnk:{bucket}" for bucket in window.buckets]

    @functools.lru_cache(maxsize=8)  # noqa: B019 - few windows live at once; instances are few
    def _index_keys(self, buckets: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(
            f"{self.tag}:{kind}:{bucket}"
            for kind in ("art", "exact", "band", "sig")
            for bucket in buckets
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def _source_keys(self, buckets: tuple[int, ...], source: str) -> tuple[str, ...]:
        return (*(self.chrome_key(source, b) for b in buckets), self.learned_key(source))

    def _source(self, source: str) -> str:
        return hashlib.blake2b(source.encode("utf-8"), digest_size=6).hexdigest()

    def chrome_key(self, source: str, bucket: int) -> str:
        """Counts of a source's short lines in one bucket."""
        return f"{self.tag}:chrome:{self._source(source)}:{bucket}"

    def learned_key(self, source: str) -> str:
        """A source's learned chrome: line fingerprint -> bucket it was last confirmed in."""
        return f"{self.tag}:learned:{self._source(source)}"


def story_id_for(original_id: str) -> str:
    """Story id: derived from the id of the story's first article, the same on every replica."""
    return "story-" + hashlib.blake2b(original_id.encode("utf-8"), digest_size=10).hexdigest()


@dataclass(frozen=True)
class Decision:
    """What the index says of one article."""

    article_id: str
    status: Literal["original", "duplicate", "update"]
    story_id: str
    duplicate_of: str | None = None
    """The copied article (duplicates) or the closest earlier article (updates)."""
    method: Literal["exact", "near"] | None = None
    similarity: float = 0.0
    replay: bool = False
    new_sentences: int | None = None
    """Sentences of an update the closest earlier article does not have."""
    root: str = ""
    """The id of the story's first article (what ``story_id`` is derived from)."""
    coverage_of: str | None = None
    """For a first article the linker put in an earlier story: that story's first article."""

    @property
    def is_original(self) -> bool:
        """Whether the article gets a full event: the first of its story, or an update."""
        return self.status != "duplicate"

    @property
    def relation(self) -> Literal["first", "update", "copy", "coverage"]:
        """How the article relates to what came before."""
        if self.status == "original":
            return "coverage" if self.coverage_of else "first"
        return "update" if self.status == "update" else "copy"

    @property
    def related_to(self) -> str | None:
        """The earlier article an event points at: the closest (update) or the story's first."""
        if self.status == "update":
            return self.duplicate_of
        return self.coverage_of

    def in_story(self, root: str, *, coverage: bool = False) -> Decision:
        """The same decision, in the story whose first article is ``root``."""
        return dataclasses.replace(
            self,
            root=root,
            story_id=story_id_for(root),
            coverage_of=root if coverage and root != self.article_id else self.coverage_of,
        )


def parse_decision(article_id: str, kind: str, payload: str) -> Decision:
    """Build a :class:`Decision` from the script's reply."""
    data: dict[str, Any] = json.loads(payload)
    replay = kind == "replay"
    if data["d"] == "original":
        return Decision(
            article_id, "original", story_id_for(article_id), replay=replay, root=article_id
        )
    original = str(data["of"])
    root = str(data.get("st") or original)  # the story's first article
    if data["d"] == "update":
        return Decision(
            article_id,
            "update",
            story_id_for(root),
            duplicate_of=original,
            method="near",
            similarity=round(float(data["s"]), 4),
            replay=replay,
            new_sentences=int(data["n"]),
            root=root,
        )
    method: Literal["exact", "near"] = "exact" if data["m"] == "exact" else "near"
    return Decision(
        article_id,
        "duplicate",
        story_id_for(root),
        duplicate_of=original,
        method=method,
        similarity=round(float(data["s"]), 4),
        replay=replay,
        root=root,
    )


def chrome_candidates(lines: Sequence[str], fingerprint: Callable[[str], str]) -> list[str]:
    """Distinct fingerprints of the short lines of an article: what may be learned as chrome."""
    seen: dict[str, None] = {}
    for line in lines:
        if word_count(line) <= CHROME_MAX_WORDS:
            seen.setdefault(fingerprint(line), None)
            if len(seen) >= CHROME_MAX_LINES:
                break
    return list(seen)


def learned_in_window(learned: Mapping[bytes | str, bytes | str], oldest: int) -> frozenset[str]:
    """Fingerprints of a source's learned hash last confirmed inside the window."""
    result = set()
    for fp, bucket in learned.items():
        if int(bucket) >= oldest:
            result.add(fp.decode() if isinstance(fp, bytes) else fp)
    return frozenset(result)


@dataclass(frozen=True)
class DedupeRequest:
    """One article as the index sees it."""

    article_id: str
    source: str
    body: BodyFingerprint
    chrome_fingerprints: tuple[str, ...]
    sentences: tuple[str, ...] = ()
    """Fingerprints of the body's sentences (:func:`sentence_fingerprints`)."""


def prepare(
    article_id: str, source: str, text: str, learned: frozenset[str] = frozenset()
) -> tuple[CleanedText, DedupeRequest]:
    """An article's cleaned text and its request to the index: the one way both are made.

    ``learned`` is the source's learned chrome (line fingerprints). Raises
    :class:`~workers.errors.EmptyMessage` when nothing is left after cleaning.
    """
    cleaned = clean_lines(text, learned=learned)
    if not cleaned.lines:
        raise EmptyMessage("nothing left after removing chrome and repeats")
    request = DedupeRequest(
        article_id=article_id,
        source=source,
        body=body_fingerprint(cleaned.normalized),
        chrome_fingerprints=tuple(chrome_candidates(split_lines(text), line_fingerprint)),
        sentences=sentence_fingerprints(cleaned.normalized),
    )
    return cleaned, request
