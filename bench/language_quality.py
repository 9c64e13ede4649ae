"""Language routing: which texts reach English NER, py3langid vs no detection.

.venv/bin/python -m bench.language_quality

Texts: spaCy's example sentences (``spacy.lang.<code>.examples``, MIT licence, shipped
with spaCy), one text per language (its sentences joined), and, when ``../shared`` is
beside the project, the English news articles of its development set. The baseline is
bare spaCy: every text goes to the English model.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import time
from pathlib import Path

import spacy.lang

from workers.adapters.language_id import LangId
from workers.core.language import detect_language

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ecbplus-dev.jsonl"


def example_texts() -> dict[str, str]:
    """One text per language that has spaCy example sentences ("xx" is mixed: left out)."""
    texts = {}
    for module in pkgutil.iter_modules(spacy.lang.__path__):
        try:
            examples = importlib.import_module(f"spacy.lang.{module.name}.examples")
        except ImportError:
            continue
        sentences = getattr(examples, "sentences", [])
        if sentences and module.name != "xx":
            texts[module.name] = " ".join(sentences)
    return texts


def main() -> None:
    langid = LangId()
    texts = example_texts()
    started = time.perf_counter()
    found = {code: detect_language(text, langid).code for code, text in texts.items()}
    per_text = (time.perf_counter() - started) / len(texts) * 1000
    foreign = [code for code in texts if code != "en"]
    to_english = sorted(code for code in foreign if found[code] in {"en", "und"})
    right = sum(found[code] == code for code in texts)
    print(f"spaCy example texts: {len(texts)} languages")
    print(f"{'':<16}{'right code':>12}{'foreign -> English NER':>26}")
    print(f"{'bare spaCy':<16}{'-':>12}{len(foreign):>20} of {len(foreign)}")
    print(f"{'py3langid':<16}{right:>8} of {len(texts)}{len(to_english):>14} of {len(foreign)}")
    if to_english:
        print(f"  sent to English NER: {', '.join(to_english)}")
    print(f"  {per_text:.2f} ms per text")
    if SHARED.exists():
        rows = [json.loads(line) for line in SHARED.read_text(encoding="utf-8").splitlines()]
        english = sum(detect_language(row["text"], langid).is_english for row in rows)
        print(f"English news ({SHARED.name}): {english} of {len(rows)} kept for English NER")
    else:
        print(f"English news: {SHARED} is absent (../shared not beside the project): skipped")


if __name__ == "__main__":
    main()
