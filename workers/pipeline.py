"""One batch of raw messages -> the records to publish.

The steps are the pure functions of :mod:`workers.core`; the only I/O is
through the two adapters it is given as protocols (:class:`Deduper`, in
production :class:`~workers.adapters.redis_dedupe.RedisDedupe`, and
:class:`Recognizer`, in production :class:`~workers.adapters.ner_process.NerProcess`,
spaCy's :class:`~workers.adapters.spacy_ner.NerModel` in a child process)
and its clock is a function, so it runs the same under faust, in the
benchmarks, in quality scripts and in tests with in-memory fakes
(:mod:`workers.testing`).

Every message ends in exactly one output: an enriched event (new story), a
duplicate notice (copy of a story) or a dead-letter record (bad message). A
:class:`~workers.errors.ServiceUnavailable` from Redis is raised, not
dead-lettered: the caller retries the whole batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from typing import Protocol

from topics.records import StoryRecord
from topics.specs import ENRICHED
from workers.core.articles import Article, decode_article
from workers.core.batch import BatchStats
from workers.core.dedupe import Decision, DedupeRequest, prepare
from workers.core.entities import Entity, Mention, ModelInfo
from workers.core.events import (
    build_dead_letter,
    build_event,
    build_notice,
    fit_event,
    title_of,
)
from workers.core.foreign_places import FOUND_LABEL, ForeignNames, foreign_entities
from workers.core.language import UNDETERMINED, Classifier, detect_language
from workers.core.lines import CleanedText
from workers.core.places import Located, PlaceIndex, article_entities
from workers.core.stories import (
    LanguageZipf,
    Link,
    LinkRequest,
    StoryUpdate,
    Zipf,
    article_time,
    state_entities,
    story_features,
)
from workers.errors import DecodeError, NewsworkerError, ProcessingError

Clock = Callable[[], float]
#: Languages whose text goes to the English model (``und``: too short to tell). The
#: others get only the places named in them (:mod:`workers.core.foreign_places`).
NER_LANGUAGES = frozenset({"en", UNDETERMINED.code})
#: Bytes of a record besides its value that the topic limit also counts (headers, framing).
RECORD_MARGIN = 1024


@dataclass(frozen=True)
class RawMessage:
    """A consumed message with where it came from (kept whole for the dead-letter topic)."""

    value: bytes | None
    key: bytes | None
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Output:
    """A record to publish: topic role (enriched, duplicates, dlq), key and value.

    ``index`` is the position of the raw message in the batch it answers.
    """

    role: str
    key: bytes
    value: bytes
    index: int = 0


@dataclass(frozen=True)
class BatchResult:
    """The outputs of a batch (one per raw message, in order) and what happened."""

    outputs: list[Output]
    stats: BatchStats


class Deduper(Protocol):
    """The shared dedupe index: learned chrome per source, and atomic decisions."""

    async def learned_chrome(self, sources: Sequence[str]) -> list[frozenset[str]]:
        """Each source's learned chrome (line fingerprints), in the order given."""
        ...

    async def decide(self, requests: Sequence[DedupeRequest]) -> list[Decision]:
        """Decide each request atomically, in order; a redelivered id gets its recorded answer."""
        ...


class StoryLinker(Protocol):
    """The shared story index: links first articles to recent stories of other outlets."""

    async def settle(
        self, requests: Sequence[LinkRequest], updates: Sequence[StoryUpdate]
    ) -> tuple[list[Link], list[StoryRecord]]:
        """Link the first articles, then count every article into its story.

        Each first article is linked atomically, in order (a redelivered id gets its
        recorded link); then each article is counted once, in order, into the story of
        the article it joins, as linked just before. Returns the links, and each story's
        state after each update.
        """
        ...


class Recognizer(Protocol):
    """Named-entity recognition over a batch of texts."""

    info: ModelInfo

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        """Entity mentions of each text, in order."""
        ...


@dataclass(frozen=True)
class PipelineConfig:
    """The settings the pipeline reads (a subset of :class:`~workers.config.Settings`)."""

    max_message_bytes: int
    max_body_chars: int
    entity_labels: tuple[str, ...]
    ner_batch_size: int
    max_event_bytes: int | None = None
    """Largest enriched event value; None: what the enriched topic accepts, less a margin
    for the key and the record's framing (events are fitted to it by ``fit_event``)."""

    def event_limit(self) -> int:
        """The byte limit enriched events are fitted to."""
        if self.max_event_bytes is not None:
            return self.max_event_bytes
        return ENRICHED.max_bytes(self.max_message_bytes) - RECORD_MARGIN


@dataclass
class InFlight:
    """One decoded article on its way through the batch's steps."""

    message: RawMessage
    article: Article
    cleaned: CleanedText | None = None
    decision: Decision | None = None


class Pipeline:
    """Decode, clean, fingerprint, decide, enrich and build the outputs of one batch."""

    def __init__(
        self,
        config: PipelineConfig,
        dedupe: Deduper,
        ner: Recognizer | None,
        clock: Clock,
        places: PlaceIndex | None = None,
        language: Classifier | None = None,
        stories: StoryLinker | None = None,
        zipf_in: LanguageZipf | None = None,
        foreign: ForeignNames | None = None,
    ) -> None:
        self.config = config
        self.dedupe = dedupe
        self.ner = ner
        self.clock = clock
        #: The gazetteer places are repaired and resolved with (None: entities as found).
        self.places = places
        #: Place names in other languages (None: an article not in English gets no entities).
        self.foreign = foreign
        #: The language classifier (None: every text ``und``, treated as English).
        self.language = language
        #: The story linker (None: every first article opens a story of its own).
        self.stories = stories
        #: Word rarity for the linker's word weights, by the article's language (None:
        #: every word equally rare).
        self.zipf_in: LanguageZipf = zipf_in or _no_frequencies
        #: NER's own thread: batches queue there in the order :meth:`start_recognize`
        #: was called, so the next batch's NER starts the moment the last one ends,
        #: without waiting for the event loop to hand it over.
        self._ner_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ner")

    def close(self) -> None:
        """Stop NER's thread, after the batch it runs (a pipeline is not used after this)."""
        self._ner_thread.shutdown(wait=True, cancel_futures=True)

    @property
    def redis_round_trips(self) -> int:
        """Round trips the shared state's adapters made (0 for in-memory ones)."""
        return sum(getattr(x, "round_trips", 0) for x in (self.dedupe, self.stories))

    def _dead(
        self, index: int, message: RawMessage, error: NewsworkerError, stats: BatchStats
    ) -> Output:
        stats.add(stats.dead_letters, error.reason)
        record = build_dead_letter(
            reason=error.reason,
            detail=error.message,
            value=message.value,
            key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            now=self.clock(),
        )
        return Output("dlq", message.key or b"", record.to_json(), index)

    async def process(self, batch: Sequence[RawMessage]) -> BatchResult:
        """Outputs for a batch, in the batch's order (one per message), and its stats."""
        return await self.finish(await self.recognize(await self.decide(batch)))

    async def decide(self, batch: Sequence[RawMessage]) -> Decided:
        """The first of :meth:`process`'s three steps: decode, clean, decide, language.

        The steps are apart so a caller can run them as a pipeline: one batch's
        :meth:`recognize` (NER, in a thread) while the next batch is decided and the
        previous one finished on the event loop. Batches must go through each step
        in the order they were taken, one at a time per step: a copy in a later
        batch joins the story its original's batch linked.
        """
        stats = BatchStats(consumed=len(batch))
        results: list[Output | None] = [None] * len(batch)
        work: list[tuple[int, InFlight]] = []
        for index, message in enumerate(batch):
            try:
                article = decode_article(
                    message.value, message.key, max_bytes=self.config.max_message_bytes
                )
            except DecodeError as error:
                results[index] = self._dead(index, message, error, stats)
                continue
            work.append((index, InFlight(message, article)))

        learned = await self.dedupe.learned_chrome([item.article.source for _, item in work])
        requests: list[DedupeRequest] = []
        kept: list[tuple[int, InFlight]] = []
        for (index, item), chrome in zip(work, learned, strict=True):
            try:
                item.cleaned, request = prepare(
                    item.article.id, item.article.source, item.article.text, chrome
                )
            except NewsworkerError as error:
                results[index] = self._dead(index, item.message, error, stats)
                continue
            except Exception as exc:
                results[index] = self._dead(index, item.message, unexpected(exc), stats)
                continue
            for reason, count in item.cleaned.removed.items():
                stats.add(stats.lines_removed, reason, count)
            requests.append(request)
            kept.append((index, item))

        decisions = await self.dedupe.decide(requests)
        originals: list[tuple[int, InFlight]] = []
        copies: list[tuple[int, InFlight]] = []
        for (index, item), decision in zip(kept, decisions, strict=True):
            item.decision = decision
            (originals if decision.is_original else copies).append((index, item))
        limit = self.config.max_body_chars
        texts = [item.cleaned.body[:limit] if item.cleaned else "" for _, item in originals]
        classify = self.language
        languages = [
            (detect_language(text, classify) if classify else UNDETERMINED).code for text in texts
        ]
        return Decided(results, originals, copies, texts, languages, stats)

    async def recognize(self, decided: Decided) -> Recognized:
        """The second step of :meth:`process`: the entity mentions of each original.

        Only English text goes to the English model; the rest gets no entities. NER is
        CPU-bound: it runs in a thread, off the event loop, so Kafka heartbeats go on (in
        production that thread waits on the model's own process).
        """
        return await self.start_recognize(decided)

    def start_recognize(self, decided: Decided) -> asyncio.Task[Recognized]:
        """:meth:`recognize`, queued on NER's thread now and awaited later.

        A caller that queues batch N+1 while batch N is in NER keeps NER busy back to
        back; batches are recognized one at a time, in the order they were queued.
        """
        texts, stats = decided.texts, decided.stats
        english = [i for i, code in enumerate(decided.languages) if code in NER_LANGUAGES]
        ner = self.ner
        queued: asyncio.Future[list[list[Mention]]] | None = None
        if ner is not None and english:
            chosen = [texts[i] for i in english]
            size = self.config.ner_batch_size

            def run() -> list[list[Mention]]:
                started = time.perf_counter()
                found = ner.mentions(chosen, size)
                stats.ner_seconds = time.perf_counter() - started
                stats.ner_batch_size = len(chosen)
                return found

            queued = asyncio.get_running_loop().run_in_executor(self._ner_thread, run)

        async def recognized() -> Recognized:
            mentions: list[list[Mention]] = [[] for _ in texts]
            if queued is not None:
                for i, found in zip(english, await queued, strict=True):
                    mentions[i] = found
            return Recognized(
                **{f.name: getattr(decided, f.name) for f in fields(Decided)}, mentions=mentions
            )

        return asyncio.ensure_future(recognized())

    async def finish(self, recognized: Recognized) -> BatchResult:
        """The last step of :meth:`process`: entities, places, stories and the outputs.

        It may be run again on the same ``recognized`` (after Redis was away): the
        story index answers a replayed article as it did the first time.
        """
        batch = recognized.copy()
        stats = batch.stats
        results = batch.results
        enriched, links = self._enrich(batch)
        records = await self._settle_stories(batch.copies, enriched, links, stats)
        for index, item in batch.copies:
            if item.decision is None:
                raise RuntimeError("pipeline step order broken")
            notice = build_notice(item.article, item.decision, now=self.clock())
            stats.add(stats.duplicates, notice.method)
            results[index] = Output("duplicates", item.article.id.encode(), notice.to_json(), index)
        for index, output in self._events(enriched, stats):
            results[index] = output
        outputs = [output for output in results if output is not None]
        outputs.extend(records)
        for output in outputs:
            stats.add(stats.published, output.role)
        return BatchResult(outputs, stats)

    def _enrich(
        self, batch: Recognized
    ) -> tuple[list[tuple[int, InFlight, Enriched | Output]], list[tuple[InFlight, LinkRequest]]]:
        """Entities and places of each original; the link requests of first articles."""
        stats = batch.stats
        results: list[tuple[int, InFlight, Enriched | Output]] = []
        links: list[tuple[InFlight, LinkRequest]] = []
        for (index, item), found, text, language in zip(
            batch.originals, batch.mentions, batch.texts, batch.languages, strict=True
        ):
            if item.cleaned is None or item.decision is None:
                raise RuntimeError("pipeline step order broken")
            try:
                title = title_of(item.article, item.cleaned)
                if language in NER_LANGUAGES or self.foreign is None:
                    located = article_entities(
                        found,
                        title=title,
                        text=text,
                        labels=self.config.entity_labels,
                        places=self.places,
                    )
                elif FOUND_LABEL in self.config.entity_labels:
                    located = foreign_entities(text, title, self.foreign, language)
                else:
                    located = Located([], [])
                entities, countries = located.entities, located.countries
                if self.stories is not None and item.decision.status == "original":
                    when = article_time(item.article.published_at, self.clock())
                    # the page's timestamp lines are not its text, but their years and days
                    # date it: the linker reads them after the body (entities' offsets hold)
                    dated = "\n\n".join((text, *item.cleaned.stamps))
                    features = story_features(title, dated, entities, self.zipf_in(language), when)
                    links.append((item, LinkRequest(item.article.id, features)))
            except Exception as exc:
                results.append(
                    (index, item, self._dead(index, item.message, unexpected(exc), stats))
                )
                continue
            results.append(
                (
                    index,
                    item,
                    Enriched(entities, countries, language, len(text) < len(item.cleaned.body)),
                )
            )
        return results, links

    async def _settle_stories(
        self,
        copies: list[tuple[int, InFlight]],
        enriched: list[tuple[int, InFlight, Enriched | Output]],
        links: list[tuple[InFlight, LinkRequest]],
        stats: BatchStats,
    ) -> list[Output]:
        """Link the first articles and count every article into its story, in one call.

        Each article's decision is moved to the story it joined (coverage of another
        outlet's story, or the story its original was linked to); the outputs are each
        story's latest state (one per story).
        """
        if self.stories is None:
            return []
        counted: list[tuple[int, InFlight, tuple[str, ...]]] = [
            (index, item, ()) for index, item in copies
        ]
        counted += [
            (index, item, state_entities(parts.entities))
            for index, item, parts in enriched
            if isinstance(parts, Enriched)
        ]
        counted.sort(key=lambda entry: entry[0])
        updates = []
        for _, item, entities in counted:
            if item.decision is None or item.cleaned is None:
                raise RuntimeError("pipeline step order broken")
            updates.append(
                StoryUpdate(
                    article_id=item.article.id,
                    joins=item.decision.root or item.article.id,
                    relation=item.decision.relation,
                    source=item.article.source,
                    title=title_of(item.article, item.cleaned),
                    now=self.clock(),
                    entities=entities,
                )
            )
        found, records = await self.stories.settle([r for _, r in links], updates)
        for (item, _), link in zip(links, found, strict=True):
            stats.add(stats.linked, link.relation)
            if item.decision is not None and link.root != item.article.id:
                item.decision = item.decision.in_story(link.root, coverage=True)
        latest: dict[str, tuple[int, StoryRecord]] = {}
        for (index, item, _), record in zip(counted, records, strict=True):
            latest[record.story_id] = (index, record)
            decision = item.decision
            if decision is not None and decision.status != "original":
                if record.first_article != decision.root:
                    item.decision = decision.in_story(record.first_article)
        return [
            Output("stories", story_id.encode(), record.to_json(), index)
            for story_id, (index, record) in sorted(latest.items(), key=lambda kv: kv[1][0])
        ]

    def _events(
        self, enriched: list[tuple[int, InFlight, Enriched | Output]], stats: BatchStats
    ) -> list[tuple[int, Output]]:
        model = self.ner.info if self.ner is not None else None
        event_limit = self.config.event_limit()
        outputs: list[tuple[int, Output]] = []
        for index, item, parts in enriched:
            if isinstance(parts, Output):
                outputs.append((index, parts))
                continue
            if item.cleaned is None or item.decision is None:
                raise RuntimeError("pipeline step order broken")
            try:
                event = build_event(
                    item.article,
                    item.cleaned,
                    item.decision,
                    parts.entities,
                    now=self.clock(),
                    truncated=parts.truncated,
                    language=parts.language,
                    model=model,
                    countries=parts.countries,
                )
                key = item.article.id.encode()
                value = fit_event(event, event_limit - len(key))
            except Exception as exc:
                outputs.append((index, self._dead(index, item.message, unexpected(exc), stats)))
                continue
            outputs.append((index, Output("enriched", key, value, index)))
        return outputs


@dataclass(frozen=True)
class Decided:
    """A batch after :meth:`Pipeline.decide`: each message decoded and decided."""

    results: list[Output | None]
    """Outputs decided so far, by position in the batch (dead letters), else None."""
    originals: list[tuple[int, InFlight]]
    copies: list[tuple[int, InFlight]]
    texts: list[str]
    """Each original's text as it goes to NER (cut to the body limit)."""
    languages: list[str]
    stats: BatchStats


@dataclass(frozen=True)
class Recognized(Decided):
    """A batch after :meth:`Pipeline.recognize`: its originals' entity mentions found."""

    mentions: list[list[Mention]]

    def copy(self) -> Recognized:
        """A copy :meth:`Pipeline.finish` may change (so that it can be run again)."""
        return replace(
            self,
            results=list(self.results),
            originals=[(index, replace(item)) for index, item in self.originals],
            copies=[(index, replace(item)) for index, item in self.copies],
            stats=self.stats.copy(),
        )


@dataclass(frozen=True)
class Enriched:
    """What the enrichment step found for one original article."""

    entities: list[Entity]
    countries: list[str]
    language: str
    truncated: bool


def _unknown_word(word: str) -> float:
    return 0.0


def _no_frequencies(language: str) -> Zipf:
    return _unknown_word


def unexpected(exc: Exception) -> ProcessingError:
    """An unexpected error on one message, as data for its dead letter (the same on a replay)."""
    return ProcessingError(f"{type(exc).__name__}: {exc}")
