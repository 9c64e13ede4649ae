"""In-memory stand-ins for the pipeline's adapters, for unit tests without services.

:class:`MemoryDeduper` follows the decision rules of the Redis index
(``decide.lua``) over plain dicts: replay by article id, exact copy by
content fingerprint, near copy by LSH band candidates at or above the
threshold, else original; a short line seen in ``chrome_min_articles``
originals of one source becomes that source's learned chrome. It has no time
window. :class:`MemoryLinker` links first articles to stories by the rule of
``link.lua``. :class:`KeywordRecognizer` finds given names in the texts. None
is used by the worker: the real adapters are tested against the real servers.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence

from topics.records import StoryRecord
from workers.core.dedupe import (
    UPDATE_MIN_GROWTH,
    UPDATE_MIN_NEW_SENTENCES,
    Decision,
    DedupeRequest,
    parse_decision,
)
from workers.core.entities import Mention, ModelInfo
from workers.core.fingerprints import estimate_jaccard, signature_from_bytes
from workers.core.stories import (
    INDEX_WIDTH,
    LINK_THRESHOLD,
    MAX_CANDIDATES,
    Centroid,
    Link,
    LinkRequest,
    StoryUpdate,
    Zipf,
    join_threshold,
    prune_entities,
    story_record,
)
from workers.errors import ServiceUnavailable


class MemoryDeduper:
    """The dedupe index as dicts; ``available = False`` makes it raise like a Redis outage."""

    def __init__(
        self,
        threshold: float = 0.6,
        chrome_min_articles: int = 3,
        update_floor: float = 0.5,
        update_min_new: int = UPDATE_MIN_NEW_SENTENCES,
    ) -> None:
        self.threshold = threshold
        self.update_floor = update_floor
        self.update_min_new = update_min_new
        self.sentences: dict[str, frozenset[str]] = {}
        self.roots: dict[str, str] = {}
        self.chrome_min_articles = chrome_min_articles
        self.available = True
        self.decided: dict[str, tuple[str, str]] = {}
        self.exact: dict[str, str] = {}
        self.bands: dict[str, str] = {}
        self.signatures: dict[str, bytes] = {}
        self.line_counts: dict[tuple[str, str], int] = {}
        self.learned: dict[str, set[str]] = {}

    def _check(self) -> None:
        if not self.available:
            raise ServiceUnavailable("in-memory index made unavailable")

    async def learned_chrome(self, sources: Sequence[str]) -> list[frozenset[str]]:
        """Each source's learned chrome, in the order given."""
        self._check()
        return [frozenset(self.learned.get(source, ())) for source in sources]

    async def decide(self, requests: Sequence[DedupeRequest]) -> list[Decision]:
        """Decide each request in order, as the Redis script would."""
        self._check()
        return [self._decide(request) for request in requests]

    def _decide(self, request: DedupeRequest) -> Decision:
        recorded = self.decided.get(request.article_id)
        if recorded is not None:
            return parse_decision(request.article_id, "replay", recorded[1])
        payload = self._payload(request)
        self.decided[request.article_id] = ("new", payload)
        return parse_decision(request.article_id, "new", payload)

    def _payload(self, request: DedupeRequest) -> str:
        body = request.body
        original = self.exact.get(body.content)
        if original is not None and original != request.article_id:
            root = self.roots.get(original, original)
            return json.dumps({"d": "duplicate", "of": original, "m": "exact", "s": 1, "st": root})
        best, best_similarity = None, 0.0
        mine = signature_from_bytes(body.signature)
        for band in body.bands:
            candidate = self.bands.get(band)
            if candidate is None or candidate == request.article_id:
                continue
            similarity = estimate_jaccard(mine, signature_from_bytes(self.signatures[candidate]))
            if similarity > best_similarity:
                best, best_similarity = candidate, similarity
        if best is not None:
            root = self.roots.get(best, best)
            theirs = self.sentences.get(best)
            if best_similarity >= self.update_floor and theirs is not None:
                new = sum(1 for sentence in request.sentences if sentence not in theirs)
                lacks = len(theirs) - (len(set(request.sentences)) - new)
                if new >= self.update_min_new and new - lacks >= UPDATE_MIN_GROWTH:
                    self._index(request)
                    self.roots[request.article_id] = root
                    return json.dumps(
                        {"d": "update", "of": best, "s": best_similarity, "n": new, "st": root}
                    )
                return json.dumps(
                    {"d": "duplicate", "of": best, "m": "near", "s": best_similarity, "st": root}
                )
            if best_similarity >= self.threshold:
                return json.dumps(
                    {"d": "duplicate", "of": best, "m": "near", "s": best_similarity, "st": root}
                )
        self._index(request)
        return json.dumps({"d": "original", "s": 0})

    def _index(self, request: DedupeRequest) -> None:
        body = request.body
        if request.sentences:  # as decide.lua: none stored, the threshold alone decides
            self.sentences[request.article_id] = frozenset(request.sentences)
        self.exact.setdefault(body.content, request.article_id)
        for band in body.bands:
            self.bands.setdefault(band, request.article_id)
        self.signatures[request.article_id] = body.signature
        for line in request.chrome_fingerprints:
            key = (request.source, line)
            self.line_counts[key] = self.line_counts.get(key, 0) + 1
            if self.line_counts[key] >= self.chrome_min_articles:
                self.learned.setdefault(request.source, set()).add(line)


class MemoryLinker:
    """The story index as dicts, running :class:`~workers.core.stories.Centroid` as link.lua does.

    No time buckets: every story stays in the index (articles farther apart than
    ``window`` still never join one story). ``available = False`` makes it raise
    like a Redis outage.
    """

    def __init__(self, threshold: float = LINK_THRESHOLD, window: float = 3 * 86_400) -> None:
        self.threshold = threshold
        self.window = window
        self.available = True
        self.links: dict[str, Link] = {}
        self.centroids: dict[str, Centroid] = {}
        self.index: dict[str, list[str]] = {}
        self.states: dict[str, dict[str, str]] = {}
        self.frequencies: dict[str, int] = {}
        self.documents = 0
        self.members: dict[str, dict[str, str]] = {}

    async def settle(
        self, requests: Sequence[LinkRequest], updates: Sequence[StoryUpdate]
    ) -> tuple[list[Link], list[StoryRecord]]:
        """Link the first articles, then count every article into its story, as Redis would."""
        if not self.available:
            raise ServiceUnavailable("in-memory story index made unavailable")
        return [self._link(request) for request in requests], self._record(updates)

    async def link(self, requests: Sequence[LinkRequest]) -> list[Link]:
        """Link each first article in order, as link.lua would."""
        return (await self.settle(requests, ()))[0]

    async def record(self, updates: Sequence[StoryUpdate]) -> list[StoryRecord]:
        """Count each article into its story's state once, as story.lua does."""
        return (await self.settle((), updates))[1]

    def _record(self, updates: Sequence[StoryUpdate]) -> list[StoryRecord]:
        records = []
        for update in updates:
            linked = self.links.get(update.joins)
            root = linked.root if linked is not None else update.joins
            if linked is not None and update.joins == update.article_id:
                update = dataclasses.replace(update, relation=linked.relation)
            state = self.states.setdefault(root, {})
            members = self.members.setdefault(root, {})
            if update.article_id not in members:
                members[update.article_id] = update.relation
                now = repr(update.now)
                state.setdefault("title", update.title)
                state.setdefault("fs", now)
                if update.now > float(state.get("ls", "-inf")):
                    state["ls"] = now
                if update.now < float(state["fs"]):
                    state["fs"] = now
                counts = ("n", f"r:{update.relation}", f"o:{update.source}")
                for name in (*counts, *(f"e:{key}" for key in update.entities)):
                    state[name] = str(int(state.get(name, "0")) + 1)
                prune_entities(state)
            records.append(story_record(root, state))
        return records

    def _link(self, request: LinkRequest) -> Link:
        recorded = self.links.get(request.article_id)
        if recorded is not None:
            return dataclasses.replace(recorded, replay=True)
        keys = request.features.index_keys()
        self.documents += 1
        features = request.features.weighted(self.frequencies, self.documents)
        for name in request.features.feature_keys():
            self.frequencies[name] = self.frequencies.get(name, 0) + 1
        shared: dict[str, int] = {}
        for key in keys:
            for root in self.index.get(key, ()):
                shared[root] = shared.get(root, 0) + 1
        candidates = sorted(shared, key=lambda root: (-shared[root], root))[:MAX_CANDIDATES]
        best, best_score, top = None, -1.0, 0.0
        for root in candidates:
            centroid = self.centroids[root]
            score = centroid.score(features, window=self.window)
            if score is None:
                continue
            top = max(top, score)
            if score >= join_threshold(self.threshold, centroid.count) and (
                score > best_score or (score == best_score and root < (best or ""))
            ):
                best, best_score = root, score
        if best is not None:
            link = Link(request.article_id, best, "coverage", round(best_score, 4))
        else:
            link = Link(request.article_id, request.article_id, "first", round(top, 4))
            self.centroids[request.article_id] = Centroid()
        self.centroids[link.root].add(features)
        for key in keys:
            roots = [r for r in self.index.get(key, []) if r != link.root] + [link.root]
            self.index[key] = roots[-INDEX_WIDTH:]
        self.links[request.article_id] = link
        return link


class KeywordRecognizer:
    """Finds each given name (whole words) in the texts, with its label."""

    info = ModelInfo("keyword-recognizer", "0", "en")

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = dict(names)
        self.calls = 0
        self._patterns = {name: re.compile(r"\b" + re.escape(name) + r"\b") for name in self.names}

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        """Every occurrence of every name, in text order."""
        self.calls += 1
        found = []
        for text in texts:
            spans = [
                Mention(match.group(0), self.names[name], match.start(), match.end())
                for name, pattern in self._patterns.items()
                for match in pattern.finditer(text)
            ]
            found.append(sorted(spans, key=lambda m: m.start))
        return found


def short_words_common(word: str) -> float:
    """A stand-in for word frequencies: words of three letters or fewer common, others rare."""
    return 7.0 if len(word) <= 3 else 3.0


def short_words_common_in(language: str) -> Zipf:
    """:func:`short_words_common` for an article in any language."""
    return short_words_common
