"""Write topics/examples/enriched.v2.example.json: a real event for a project sample.

The event is built by the worker's own steps (decode, line cleaning, spaCy NER,
canonical entities, event builder) from samples/articles/03-central-bank.txt,
with a fixed clock. tests/unit/test_example_event.py rebuilds it and fails
when the stored example and the code drift apart.

    .venv/bin/python scripts/example_event.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workers.adapters.gazetteer import place_index
from workers.adapters.language_id import LangId
from workers.adapters.spacy_ner import NerModel
from workers.config import DEFAULT_LABELS
from workers.core.articles import decode_article
from workers.core.dedupe import parse_decision
from workers.core.entities import canonical_entities
from workers.core.events import build_event
from workers.core.language import detect_language
from workers.core.lines import clean_lines
from workers.core.places import locate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "articles" / "03-central-bank.txt"
EXAMPLE = ROOT / "topics" / "examples" / "enriched.v2.example.json"
ARTICLE_ID = "03-central-bank-45e4b9fa52"
FIXED_NOW = 1_795_000_000.0


def build_example(model: NerModel | None = None) -> dict[str, Any]:
    ner = model or NerModel()
    article = decode_article(
        SAMPLE.read_bytes(), ARTICLE_ID.encode(), max_bytes=1_000_000, default_source="unknown"
    )
    cleaned = clean_lines(article.text)
    mentions = ner.mentions([cleaned.body])[0]
    entities = canonical_entities(
        mentions, title=cleaned.lines[0], text_length=len(cleaned.body), labels=DEFAULT_LABELS
    )
    located = locate(entities, cleaned.body, place_index())
    decision = parse_decision(ARTICLE_ID, "new", '{"d": "original", "s": 0}')
    event = build_event(
        article,
        cleaned,
        decision,
        located.entities,
        now=FIXED_NOW,
        language=detect_language(cleaned.body, LangId()).code,
        model=ner.info,
        countries=located.countries,
    )
    return event.to_dict()


if __name__ == "__main__":
    EXAMPLE.write_text(json.dumps(build_example(), indent=2, ensure_ascii=False) + "\n")
    print(f"written {EXAMPLE.relative_to(ROOT)}")
