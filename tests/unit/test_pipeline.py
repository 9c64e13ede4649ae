"""Pipeline.process with in-memory fakes of its adapters: every message gets its one output."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from workers.core.entities import Mention
from workers.core.stories import Zipf
from workers.devtools.fakes import (
    KeywordRecognizer,
    MemoryDeduper,
    MemoryLinker,
    short_words_common_in,
)
from workers.errors import ServiceUnavailable
from workers.pipeline import (
    BatchResult,
    Output,
    Pipeline,
    PipelineConfig,
    RawMessage,
    Recognized,
)

STORY = (
    "Harbour traffic in Genoa rose by a tenth this year, the port authority said on Monday.\n"
    "Container ships from Asia made up most of the growth, according to the figures.\n"
    "The authority expects another rise next year when the new quay opens in the spring."
)
OTHER = (
    "The city council of Lisbon approved a second bridge over the Tagus on Tuesday.\n"
    "Work is to start next year and take four years, the mayor Carlos Moedas said."
)
NAMES = {"Genoa": "GPE", "Lisbon": "GPE", "Carlos Moedas": "PERSON", "Asia": "LOC"}
NOW = 1_780_000_000.0


def make_pipeline(
    dedupe: MemoryDeduper | None = None, recognizer: KeywordRecognizer | None = None
) -> tuple[Pipeline, MemoryDeduper]:
    index = dedupe or MemoryDeduper()
    pipeline = Pipeline(
        PipelineConfig(
            max_message_bytes=10_000,
            max_body_chars=100_000,
            entity_labels=("PERSON", "GPE", "LOC", "ORG"),
            ner_batch_size=8,
        ),
        index,
        recognizer or KeywordRecognizer(NAMES),
        clock=lambda: NOW,
    )
    return pipeline, index


def message(key: str, value: bytes | str, offset: int = 0) -> RawMessage:
    data = value.encode() if isinstance(value, str) else value
    return RawMessage(data, key.encode(), "raw", 0, offset)


def run(pipeline: Pipeline, *messages: RawMessage) -> BatchResult:
    return asyncio.run(pipeline.process(list(messages)))


def test_one_output_per_message_in_batch_order() -> None:
    pipeline, _ = make_pipeline()
    result = run(
        pipeline,
        message("a", STORY, 0),
        message("bad", b"\xff\xfe", 1),
        message("b", STORY, 2),
        message("c", OTHER, 3),
    )
    assert [(o.role, o.key, o.index) for o in result.outputs] == [
        ("enriched", b"a", 0),
        ("dlq", b"bad", 1),
        ("duplicates", b"b", 2),
        ("enriched", b"c", 3),
    ]
    assert result.stats.consumed == 4
    assert result.stats.published == {"enriched": 2, "dlq": 1, "duplicates": 1}
    assert result.stats.dead_letters == {"invalid_utf8": 1}
    assert result.stats.duplicates == {"exact": 1}


def test_events_carry_entities_and_notices_point_to_the_first_article() -> None:
    pipeline, _ = make_pipeline()
    result = run(pipeline, message("a", STORY), message("b", STORY), message("c", OTHER))
    first, notice, other = (json.loads(o.value) for o in result.outputs)
    assert {e["canonical"] for e in first["entities"]} == {"Genoa", "Asia"}
    assert {(e["canonical"], e["label"]) for e in other["entities"]} == {
        ("Lisbon", "GPE"),
        ("Carlos Moedas", "PERSON"),
    }
    assert notice["duplicate_of"] == "a" and notice["story_id"] == first["story_id"]
    assert other["story_id"] != first["story_id"]


def test_a_redelivered_batch_gets_the_same_outputs() -> None:
    pipeline, _ = make_pipeline()
    batch = [message("a", STORY, 0), message("b", STORY, 1)]
    first = run(pipeline, *batch)
    again = run(pipeline, *batch)
    assert [o.value for o in again.outputs] == [o.value for o in first.outputs]


def test_an_index_outage_raises_and_publishes_nothing() -> None:
    pipeline, index = make_pipeline()
    index.available = False
    with pytest.raises(ServiceUnavailable):
        run(pipeline, message("a", STORY))
    index.available = True
    assert [o.role for o in run(pipeline, message("a", STORY)).outputs] == ["enriched"]


def test_learned_chrome_is_removed_once_a_source_repeats_it() -> None:
    pipeline, _ = make_pipeline(MemoryDeduper(chrome_min_articles=2))
    promo = "Subscribe to our morning letter"
    third = "Rail workers in Porto will strike on Friday over pay, their union announced today."
    fourth = "A storm closed the airport of Bilbao for six hours and diverted forty flights."

    def herald(key: str, body: str) -> RawMessage:
        return message(key, json.dumps({"text": f"{promo}\n{body}", "source": "herald"}))

    first, second = run(pipeline, herald("s1", STORY), herald("s2", OTHER)).outputs
    assert promo in json.loads(first.value)["body"]
    assert promo in json.loads(second.value)["body"]  # learned only after this batch
    (later,) = run(pipeline, herald("s3", third)).outputs
    event = json.loads(later.value)
    assert promo not in event["body"] and event["lines_removed"] == {"chrome": 1}
    (elsewhere,) = run(pipeline, message("s4", json.dumps({"text": f"{promo}\n{fourth}"}))).outputs
    assert promo in json.loads(elsewhere.value)["body"]  # another source keeps the line


def test_without_a_recognizer_events_have_no_entities() -> None:
    index = MemoryDeduper()
    pipeline = Pipeline(
        PipelineConfig(10_000, 100_000, ("GPE",), 8), index, None, clock=lambda: NOW
    )
    (output,) = run(pipeline, message("a", STORY)).outputs
    assert output.role == "enriched" and json.loads(output.value)["entities"] == []


GENOA_STORY = (
    STORY + "\nThe port of Genoa handled more cruise passengers than in any year before."
    "\nRail links to the docks are to be doubled by the end of next year, officials said."
    "\nTrade unions in Genoa have asked for more staff to cover the longer opening hours."
)


def test_an_update_gets_a_full_event_in_the_first_articles_story() -> None:
    pipeline, _ = make_pipeline()
    base = GENOA_STORY
    follow_up = (
        base + "\nThe new quay in Genoa will take ships of up to 400 metres, the authority said."
        "\nDock workers in Genoa agreed a new contract for the extra shifts on Tuesday."
        "\nThe shipping lines serving Genoa said they would add two weekly calls from March."
    )
    result = run(pipeline, message("a", base, 0), message("b", follow_up, 1))
    first, update = (json.loads(o.value) for o in result.outputs)
    assert [o.role for o in result.outputs] == ["enriched", "enriched"]
    assert (first["relation"], first["related_to"], first["new_sentences"]) == ("first", None, None)
    assert (update["relation"], update["related_to"], update["new_sentences"]) == ("update", "a", 3)
    assert update["story_id"] == first["story_id"]
    assert any(e["canonical"] == "Genoa" for e in update["entities"])


def test_a_new_headline_byline_and_credit_make_a_copy_and_two_new_sentences_an_update() -> None:
    """Lines that end no sentence (a headline, a byline) are not new content; two whole
    new sentences are."""
    pipeline, _ = make_pipeline()
    base = GENOA_STORY
    syndicated = (
        "Genoa port to open longer as cruise passenger numbers reach a new record\n"
        "Reporting by Kit Halloran in Genoa; editing by Ola Brandvold\n"
        + base
        + "\nThis article first appeared in the Daily Planet and is republished with permission."
    )
    follow_up = (
        base + "\nThe new quay in Genoa will take ships of up to 400 metres, the authority said."
        "\nDock workers in Genoa agreed a new contract for the extra shifts on Tuesday."
    )
    result = run(pipeline, message("a", base, 0), message("b", syndicated, 1))
    assert [o.role for o in result.outputs] == ["enriched", "duplicates"]
    (update,) = run(pipeline, message("c", follow_up, 2)).outputs
    event = json.loads(update.value)
    assert (event["relation"], event["related_to"], event["new_sentences"]) == ("update", "a", 2)


#: An invented Chinese report (a port's traffic rose by a tenth), three sentences, and two
#: later sentences (a rail freight yard to be built, the chamber of commerce welcomes it).
CHINESE_STORY = (
    "瓦尔多里亚港口管理局周一表示，今年港口的集装箱吞吐量比去年增长了百分之十。\n"
    "管理局说，来自亚洲的货船占了增长的大部分，新码头明年春天将投入使用。\n"
    "一位发言人表示，港口计划在未来三年内再招聘两百名工人，以应对不断增加的货运量。"
)
CHINESE_NEWS = (
    "\n周二，管理局又宣布将投资五亿元扩建南侧的铁路货运站，工程预计明年秋天开工。"
    "\n当地商会对这一计划表示欢迎，称其将为周边城镇带来大量就业机会和新的投资。"
)


def test_a_chinese_story_written_as_one_paragraph_gets_its_update() -> None:
    """Chinese writes the next sentence straight after "。": news added to the end of a
    one-paragraph story is new sentences."""
    pipeline, _ = make_pipeline()
    paragraph = CHINESE_STORY.replace("\n", "")
    result = run(
        pipeline,
        message("d", paragraph, 0),
        message("e", paragraph + CHINESE_NEWS.replace("\n", ""), 1),
    )
    later = json.loads(result.outputs[1].value)
    assert (later["relation"], later["related_to"], later["new_sentences"]) == ("update", "d", 2)


#: An invented Thai report (a port's traffic rose by a tenth), three lines, and two later
#: ones (a rail freight yard to be built, the chamber of commerce welcomes it). Thai writes
#: a space where a sentence or clause ends and none between words: the later lines are
#: three sentences of content ("on Tuesday" alone is too short to be one).
THAI_STORY = (
    "การท่าเรือวัลโดเรียแถลงเมื่อวันจันทร์ว่า "
    "ปริมาณตู้สินค้าที่ผ่านท่าเรือในปีนี้เพิ่มขึ้นร้อยละสิบเมื่อเทียบกับปีที่แล้ว\n"
    "เรือสินค้าจากเอเชียเป็นส่วนใหญ่ของการเติบโต "
    "และท่าเทียบเรือแห่งใหม่จะเปิดใช้งานในฤดูใบไม้ผลิปีหน้า\n"
    "โฆษกกล่าวว่า ท่าเรือมีแผนจะรับพนักงานเพิ่มอีกสองร้อยคนภายในสามปีข้างหน้า "
    "เพื่อรองรับปริมาณสินค้าที่เพิ่มขึ้น"
)
THAI_NEWS = (
    "\nเมื่อวันอังคาร การท่าเรือประกาศว่าจะลงทุนห้าร้อยล้านบาทเพื่อขยายลานขนส่งสินค้าทางรถไฟ"
    "\nหอการค้าท้องถิ่นยินดีกับแผนนี้ และกล่าวว่าจะช่วยสร้างงานจำนวนมากให้กับเมืองโดยรอบ"
)


@pytest.mark.parametrize(
    ("story", "edit", "news", "new_sentences"),
    [
        (CHINESE_STORY, ("两百名", "三百名"), CHINESE_NEWS, 2),
        (THAI_STORY, ("สองร้อยคน", "สามร้อยคน"), THAI_NEWS, 3),
    ],
    ids=["chinese", "thai"],
)
def test_in_a_script_without_spaces_new_sentences_make_an_update_and_an_edit_a_copy(
    story: str, edit: tuple[str, str], news: str, new_sentences: int
) -> None:
    """Chinese writes no spaces: its sentences are counted by their characters. Thai ends a
    sentence with a space, not a mark (before, it had no whole sentence, so every later
    version was a copy). In both a follow-up with new sentences is an update, not a
    notice, and a changed word is a copy."""
    pipeline, _ = make_pipeline()
    result = run(
        pipeline,
        message("a", story, 0),
        message("b", story.replace(*edit), 1),
        message("c", story + news, 2),
    )
    assert [o.role for o in result.outputs] == ["enriched", "duplicates", "enriched"]
    update = json.loads(result.outputs[2].value)
    assert (update["relation"], update["related_to"], update["new_sentences"]) == (
        "update",
        "a",
        new_sentences,
    )


def test_a_text_with_no_sentence_mark_counts_its_lines_as_new_content() -> None:
    """A list of key points, a results table or a script whose full stop is not known has
    no whole sentence: its lines count instead (before, every later version was a copy,
    whatever it added). A changed word is still a copy, two new lines an update."""
    pipeline, _ = make_pipeline()
    points = GENOA_STORY.replace(".", "")
    news = (
        "\nThe new quay in Genoa will take ships of up to 400 metres, the authority said"
        "\nDock workers in Genoa agreed a new contract for the extra shifts on Tuesday"
    )
    result = run(
        pipeline,
        message("a", points, 0),
        message("b", points.replace("a tenth", "a ninth"), 1),
        message("c", points + news, 2),
    )
    assert [o.role for o in result.outputs] == ["enriched", "duplicates", "enriched"]
    update = json.loads(result.outputs[2].value)
    assert (update["relation"], update["related_to"], update["new_sentences"]) == ("update", "a", 2)


GENOA_OTHER_OUTLET = (
    "Genoa's port handled a tenth more cargo this year, its authority announced on Monday.\n"
    "Most of the extra containers came on ships from Asia, the port authority figures show.\n"
    "A new quay opening in the spring should bring another rise next year, officials said."
)


def linked_pipeline() -> tuple[Pipeline, MemoryLinker]:
    linker = MemoryLinker()
    pipeline, _ = make_pipeline()
    pipeline.stories = linker
    pipeline.zipf_in = short_words_common_in
    return pipeline, linker


def by_role(result: BatchResult, role: str) -> list[dict[str, Any]]:
    return [json.loads(o.value) for o in result.outputs if o.role == role]


def articles_out(result: BatchResult) -> list[dict[str, Any]]:
    """Events and notices, in batch order (one per message)."""
    return [json.loads(o.value) for o in result.outputs if o.role != "stories"]


def test_another_outlets_article_on_the_event_joins_its_story_as_coverage() -> None:
    pipeline, linker = linked_pipeline()
    result = run(
        pipeline, message("a", STORY), message("c", OTHER), message("b", GENOA_OTHER_OUTLET)
    )
    first, other, coverage = articles_out(result)
    assert (first["relation"], other["relation"], coverage["relation"]) == (
        "first",
        "first",
        "coverage",
    )
    assert coverage["story_id"] == first["story_id"] != other["story_id"]
    assert coverage["related_to"] == "a"
    assert linker.links["b"].root == "a"


def test_a_pages_timestamp_leaves_the_body_but_still_dates_the_article_for_its_story() -> None:
    first = message("a", f"Published: 3 May 2013, 09:12 GMT\n{STORY}")
    relations = {}
    for stamp in ("Updated 4 May 2013 10:40", "Posted on 2 June 2019"):
        pipeline, _ = linked_pipeline()
        a, b = articles_out(run(pipeline, first, message("b", f"{stamp}\n{GENOA_OTHER_OUTLET}")))
        assert a["body"] == STORY.replace("\n", "\n\n")
        assert a["lines_removed"] == {"chrome": 1}
        relations[stamp] = (b["relation"], b["story_id"] == a["story_id"])
    # the same words six years on: the timestamps' years part it from the story
    assert relations == {
        "Updated 4 May 2013 10:40": ("coverage", True),
        "Posted on 2 June 2019": ("first", False),
    }


def test_copies_of_a_coverage_article_are_in_the_story_it_joined() -> None:
    pipeline, _ = linked_pipeline()
    batch = [message(i, GENOA_OTHER_OUTLET) for i in ("b", "b2")]
    first, coverage, copy_same_batch = articles_out(run(pipeline, message("a", STORY), *batch))
    later = articles_out(run(pipeline, message("b3", GENOA_OTHER_OUTLET)))[0]
    assert copy_same_batch["duplicate_of"] == "b" and later["duplicate_of"] == "b"
    assert copy_same_batch["story_id"] == later["story_id"] == first["story_id"]
    assert coverage["story_id"] == first["story_id"]


def test_each_story_joined_gets_its_state_once_per_batch() -> None:
    pipeline, _ = linked_pipeline()
    result = run(
        pipeline,
        message("a", json.dumps({"text": STORY, "source": "wire", "title": "Genoa port"})),
        message("c", OTHER),
        message("b", json.dumps({"text": GENOA_OTHER_OUTLET, "source": "paper"})),
        message("b2", json.dumps({"text": GENOA_OTHER_OUTLET, "source": "blog"})),
    )
    states = {s["story_id"]: s for s in by_role(result, "stories")}
    first, other = articles_out(result)[:2]
    assert set(states) == {first["story_id"], other["story_id"]}
    genoa = states[first["story_id"]]
    assert genoa["title"] == "Genoa port" and genoa["first_article"] == "a"
    assert genoa["articles"] == genoa["version"] == 3
    assert genoa["relations"] == {"copy": 1, "coverage": 1, "first": 1}
    assert {o["source"]: o["articles"] for o in genoa["outlets"]} == {
        "wire": 1,
        "paper": 1,
        "blog": 1,
    }
    assert genoa["entities"] == [
        {"canonical": "Asia", "label": "LOC", "articles": 2},
        {"canonical": "Genoa", "label": "GPE", "articles": 2},
    ]
    # The state records go where the story's latest article came from.
    assert [o.index for o in result.outputs if o.role == "stories"] == [1, 3]


def test_a_redelivered_batch_counts_nothing_twice() -> None:
    pipeline, _ = linked_pipeline()
    batch = [
        message("a", STORY),
        message("b", GENOA_OTHER_OUTLET),
        message("b2", GENOA_OTHER_OUTLET),
    ]
    once = run(pipeline, *batch)
    again = run(pipeline, *batch)
    assert [o["story_id"] for o in articles_out(once)] == [
        o["story_id"] for o in articles_out(again)
    ]
    assert [o.get("relation") for o in articles_out(once)] == [
        o.get("relation") for o in articles_out(again)
    ]
    assert by_role(once, "stories") == by_role(again, "stories")


def test_a_story_index_outage_raises_and_publishes_nothing() -> None:
    pipeline, linker = linked_pipeline()
    linker.available = False
    with pytest.raises(ServiceUnavailable):
        run(pipeline, message("a", STORY))


def test_the_next_batch_may_be_decided_and_recognized_before_this_one_finishes() -> None:
    """Batch 2 decided and recognized before batch 1 finishes: the same as in turn."""
    first = [message("a", STORY, 0), message("b", GENOA_OTHER_OUTLET, 1)]
    second = [message("b3", GENOA_OTHER_OUTLET, 2), message("c", OTHER, 3)]
    in_turn, _ = linked_pipeline()
    expected = [run(in_turn, *first).outputs, run(in_turn, *second).outputs]

    async def overlapped() -> list[list[Output]]:
        pipeline, _ = linked_pipeline()
        one = await pipeline.recognize(await pipeline.decide(first))
        two = await pipeline.recognize(await pipeline.decide(second))
        return [(await pipeline.finish(one)).outputs, (await pipeline.finish(two)).outputs]

    got = asyncio.run(overlapped())
    assert got == expected
    # the copy in the second batch is in the story its original's coverage joined
    first_event, coverage = (json.loads(o.value) for o in got[0] if o.role == "enriched")
    notice = json.loads(got[1][0].value)
    assert coverage["relation"] == "coverage"
    assert notice["duplicate_of"] == "b" and notice["story_id"] == first_event["story_id"]


def test_finish_run_again_gives_the_same_outputs_and_counts_nothing_twice() -> None:
    pipeline, _ = linked_pipeline()
    batch = [message("a", STORY, 0), message("b", GENOA_OTHER_OUTLET, 1), message("c", OTHER, 2)]

    async def twice() -> tuple[BatchResult, BatchResult]:
        recognized = await pipeline.recognize(await pipeline.decide(batch))
        return await pipeline.finish(recognized), await pipeline.finish(recognized)

    once, again = asyncio.run(twice())
    assert once.outputs == again.outputs
    assert once.stats == again.stats
    assert by_role(once, "enriched")[1]["relation"] == "coverage"
    states = sorted(s["articles"] for s in by_role(again, "stories"))
    assert states == [1, 2]


class GatedRecognizer(KeywordRecognizer):
    """Records each NER call, how many ran at once, and when the second began."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__(names)
        self.seen: list[str] = []
        self.busy = 0
        self.most_at_once = 0
        self.second_entered = threading.Event()
        self.lock = threading.Lock()

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        with self.lock:
            self.busy += 1
            self.most_at_once = max(self.most_at_once, self.busy)
            self.seen.append(texts[0][:12])
            if len(self.seen) == 2:
                self.second_entered.set()
        try:
            return super().mentions(texts, batch_size)
        finally:
            with self.lock:
                self.busy -= 1


def test_the_next_batch_queued_for_ner_starts_without_the_event_loop() -> None:
    """Batch 2 queued while batch 1 is in NER: NER runs it as soon as batch 1 is done,
    while the event loop is busy elsewhere; one batch at a time, in the queued order."""
    recognizer = GatedRecognizer(NAMES)
    pipeline, _ = make_pipeline(recognizer=recognizer)

    async def queued() -> list[Recognized]:
        one = pipeline.start_recognize(await pipeline.decide([message("a", STORY, 0)]))
        two = pipeline.start_recognize(await pipeline.decide([message("c", OTHER, 1)]))
        # the event loop blocked here: NER must reach batch 2 without it
        assert recognizer.second_entered.wait(timeout=30)
        return [await one, await two]

    one, two = asyncio.run(queued())
    assert recognizer.seen == [STORY[:12], OTHER[:12]] and recognizer.most_at_once == 1
    assert [m.text for m in one.mentions[0]] == ["Genoa", "Asia"]
    assert [m.text for m in two.mentions[0]] == ["Lisbon", "Carlos Moedas"]


def test_the_linker_weighs_words_by_the_articles_language() -> None:
    pipeline, linker = linked_pipeline()
    pipeline.language = lambda sample: ("de", 0.99)
    asked: list[str] = []

    def zipf_in(language: str) -> Zipf:
        asked.append(language)
        return lambda word: 7.0 if word in {"und", "der", "die", "das"} else 3.0

    pipeline.zipf_in = zipf_in
    text = (
        "Ein Feuer hat in der Nacht ein Lager und eine Werkstatt am Stadtrand zerstört.\n"
        "Der Rauch sperrte die Autobahn und das Gewerbegebiet für viele Stunden.\n"
        "Die Ermittler suchen nach der Ursache des Brandes und befragen die Nachbarn."
    )
    run(pipeline, message("de-1", text))
    assert asked == ["de"]
    (story,) = linker.centroids.values()
    assert "feuer" in story.terms and "autobahn" in story.terms
    assert not {"und", "der", "die", "das"} & set(story.terms)


def test_an_article_not_in_english_gets_the_places_named_in_it() -> None:
    from workers.core.foreign_places import ForeignNames
    from workers.core.places import Place

    naples = Place("Naples", "city", "IT", geonameid=3172394, population=1_000_000)
    italy = Place("Italy", "country", "IT", geonameid=3175395)
    recognizer = KeywordRecognizer(NAMES)
    text = (
        "Il traffico nel porto di Napoli è cresciuto di un decimo quest'anno.\n"
        "Le navi dall'Asia sono la maggior parte della crescita, secondo l'autorità.\n"
        "In Italia il porto di Napoli è ora il terzo per numero di container."
    )

    def pipeline(foreign: ForeignNames | None) -> Pipeline:
        return Pipeline(
            PipelineConfig(10_000, 100_000, ("PERSON", "GPE", "LOC", "ORG"), 8),
            MemoryDeduper(),
            recognizer,
            clock=lambda: NOW,
            language=lambda sample: ("it", 0.99),
            foreign=foreign,
        )

    names = ForeignNames([("Napoli", naples)], {"it": [("Italia", italy)]})
    (output,) = run(pipeline(names), message("it-1", text)).outputs
    event = json.loads(output.value)
    assert event["language"] == "it"
    assert [(e["canonical"], e["label"], e["text"], e["count"]) for e in event["entities"]] == [
        ("Naples", "GPE", "Napoli", 2),
        ("Italy", "GPE", "Italia", 1),
    ]
    assert event["entities"][0]["geo"]["geonameid"] == 3172394
    assert event["countries"] == ["IT"]
    assert recognizer.calls == 0  # the English model never saw it
    (without,) = run(pipeline(None), message("it-1", text)).outputs
    assert json.loads(without.value)["entities"] == []


def test_close_stops_ners_thread() -> None:
    before = set(threading.enumerate())
    pipeline, _ = make_pipeline()
    run(pipeline, message("a", STORY))
    started = [t for t in set(threading.enumerate()) - before if t.name.startswith("ner")]
    assert len(started) == 1 and started[0].is_alive()
    pipeline.close()
    assert not started[0].is_alive()
