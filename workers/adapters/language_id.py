"""Language identification by py3langid (pinned; BSD-3-Clause; model bundled, offline).

Chosen over the hand-written function-word detector (twelve languages) it replaced,
by a measurement (``bench/language_quality.py``, ``make quality``): of spaCy's
example texts in 66 languages other than English it sends none to English NER
(the old detector: 22, e.g. Finnish, Turkish, Indonesian, Vietnamese), and it keeps
all 462 English news articles of the development set for English NER (the old one
lost one, classed Portuguese). Cost: ~75 MB RSS once per process (the model's
tables) and about 0.5 ms per article (its first 400 characters).
"""

from __future__ import annotations

from py3langid.langid import MODEL_FILE, LanguageIdentifier


class LangId:
    """A :data:`~workers.core.language.Classifier` over py3langid's bundled model."""

    def __init__(self) -> None:
        self.model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def __call__(self, text: str) -> tuple[str, float]:
        """The most likely language of ``text`` and its probability."""
        code, confidence = self.model.classify(text)
        return str(code), float(confidence)
